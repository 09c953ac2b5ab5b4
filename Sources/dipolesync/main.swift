import ArgumentParser
import Foundation
import LinearAlgebra

// Results must not depend on the CPU: pin OpenBLAS's kernel set before anything runs (this may
// re-execute the program once; docs/reproducibility.md).
BLASKernels.pinProcess()
DipolesyncCommand.main()
