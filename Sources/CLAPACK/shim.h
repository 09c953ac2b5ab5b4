// Complex numbers cross the C boundary as two doubles, the layout of Swift's Complex<Double>.
typedef struct { float real, imag; } dipolesync_complex_float;
typedef struct { double real, imag; } dipolesync_complex_double;
#define LAPACK_COMPLEX_CUSTOM
#define lapack_complex_float dipolesync_complex_float
#define lapack_complex_double dipolesync_complex_double
#include <cblas.h>
#include <lapacke.h>
// cblas.h also declares openblas_set_num_threads and openblas_get_config.
