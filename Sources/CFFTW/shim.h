// FFTW 3 (double precision), the discrete Fourier transforms behind LinearAlgebra's CirculantConvolution.
#include <fftw3.h>
// The flags and signs as constants Swift can import (FFTW defines them as macro expressions).
// FFTW_ESTIMATE: plans chosen by FFTW's cost model, never by timing (FFTW_MEASURE could pick another
// plan on every run). FFTW_NO_SIMD: scalar codelets only, so the plan and its arithmetic do not depend
// on which vector instructions (SSE2, AVX, AVX2, AVX-512) the machine has.
static const unsigned dipolesync_fftw_flags = FFTW_ESTIMATE | FFTW_NO_SIMD;
static const int dipolesync_fftw_forward = FFTW_FORWARD;
static const int dipolesync_fftw_backward = FFTW_BACKWARD;
