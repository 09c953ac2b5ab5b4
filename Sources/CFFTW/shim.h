// FFTW 3 (double precision), the discrete Fourier transforms behind LinearAlgebra's CirculantConvolution.
#include <fftw3.h>
// The flags and signs as constants Swift can import (FFTW defines them as macro expressions).
static const unsigned dipolesync_fftw_estimate = FFTW_ESTIMATE;
static const int dipolesync_fftw_forward = FFTW_FORWARD;
static const int dipolesync_fftw_backward = FFTW_BACKWARD;
