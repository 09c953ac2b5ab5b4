// FFTW 3 (double precision), the discrete Fourier transforms behind LinearAlgebra's CirculantConvolution.
#include <fftw3.h>
// The flags and signs as constants Swift can import (FFTW defines them as macro expressions).
// FFTW_ESTIMATE: plans chosen by FFTW's cost model, never by timing (FFTW_MEASURE could pick another
// plan on every run). FFTW_NO_SIMD: scalar codelets only, so the plan and its arithmetic do not depend
// on which vector instructions (SSE2, AVX, AVX2, AVX-512) the machine has.
static const unsigned dipolesync_fftw_flags = FFTW_ESTIMATE | FFTW_NO_SIMD;
static const int dipolesync_fftw_forward = FFTW_FORWARD;
static const int dipolesync_fftw_backward = FFTW_BACKWARD;
// Real-to-real kinds and the flag for plans executed on other arrays (fftw_execute_r2r on any column).
static const unsigned dipolesync_fftw_unaligned = FFTW_UNALIGNED;
static const fftw_r2r_kind dipolesync_fftw_dct2 = FFTW_REDFT10;
static const fftw_r2r_kind dipolesync_fftw_dct3 = FFTW_REDFT01;
