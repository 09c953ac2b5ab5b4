import ArgumentParser
import Foundation

DipolesyncCommand.main()
