#include "CSpinKernels.h"

// No contraction into fused multiply-adds: the AVX2 and baseline clones must round alike.
#pragma clang fp contract(off)

// Runs of 1 and 2 (bits 0 and 1) are scalar loops: vectorized with masks they cost more than they save.
// Runs of 4 or more amplitudes follow the vector formula of SpinKernels.swift, shorter runs its scalar
// formula (they differ in where the parentheses fall, and the results must stay bit for bit).

static inline __attribute__((always_inline)) void lowering(
    double cr, double ci, const double *restrict xr, const double *restrict xi, double *restrict or_,
    double *restrict oi, double *restrict sum_re, double *restrict sum_im, ptrdiff_t s, ptrdiff_t start,
    ptrdiff_t end, ptrdiff_t run) {
    for (ptrdiff_t base = start; base < end; base += 2 * s) {
        const double *hr = xr + base + s, *hi = xi + base + s;
        double *o_r = or_ + base, *o_i = oi + base;
        if (run >= 4) {
            for (ptrdiff_t i = 0; i < run; i++) {
                o_r[i] = o_r[i] + cr * hr[i] - ci * hi[i];
                o_i[i] = o_i[i] + cr * hi[i] + ci * hr[i];
            }
        } else {
#pragma clang loop vectorize(disable) unroll(disable)
            for (ptrdiff_t i = 0; i < run; i++) {
                o_r[i] += cr * hr[i] - ci * hi[i];
                o_i[i] += cr * hi[i] + ci * hr[i];
            }
        }
        if (sum_re) {
            double *t_r = sum_re + base, *t_i = sum_im + base;
            for (ptrdiff_t i = 0; i < run; i++) {
                t_r[i] += hr[i];
                t_i[i] += hi[i];
            }
        }
    }
}

static inline __attribute__((always_inline)) void raising(
    double cr, double ci, const double *restrict xr, const double *restrict xi, double kr, double ki,
    const double *restrict y_re, const double *restrict y_im, double *restrict or_, double *restrict oi, ptrdiff_t s,
    ptrdiff_t start, ptrdiff_t end, ptrdiff_t run) {
    for (ptrdiff_t base = start; base < end; base += 2 * s) {
        const double *l_r = xr + base, *l_i = xi + base;
        double *o_r = or_ + base + s, *o_i = oi + base + s;
        if (run >= 4) {
            if (y_re) {
                const double *y_r = y_re + base, *y_i = y_im + base;
                for (ptrdiff_t i = 0; i < run; i++) {
                    double ur = o_r[i] + cr * l_r[i] - ci * l_i[i];
                    double ui = o_i[i] + cr * l_i[i] + ci * l_r[i];
                    ur += kr * y_r[i] - ki * y_i[i];
                    ui += kr * y_i[i] + ki * y_r[i];
                    o_r[i] = ur;
                    o_i[i] = ui;
                }
            } else {
                for (ptrdiff_t i = 0; i < run; i++) {
                    o_r[i] = o_r[i] + cr * l_r[i] - ci * l_i[i];
                    o_i[i] = o_i[i] + cr * l_i[i] + ci * l_r[i];
                }
            }
        } else {
#pragma clang loop vectorize(disable) unroll(disable)
            for (ptrdiff_t i = 0; i < run; i++) {
                double ur = cr * l_r[i] - ci * l_i[i], ui = cr * l_i[i] + ci * l_r[i];
                if (y_re) {
                    ur += kr * y_re[base + i] - ki * y_im[base + i];
                    ui += kr * y_im[base + i] + ki * y_re[base + i];
                }
                o_r[i] += ur;
                o_i[i] += ui;
            }
        }
    }
}

#define LOWERING_ARGS                                                                                           \
    double cr, double ci, const double *xr, const double *xi, double *or_, double *oi, double *sum_re,        \
        double *sum_im, ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run
#define RAISING_ARGS                                                                                            \
    double cr, double ci, const double *xr, const double *xi, double kr, double ki, const double *y_re,       \
        const double *y_im, double *or_, double *oi, ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run

__attribute__((target("avx2"))) void ds_add_lowering_avx2(LOWERING_ARGS) {
    lowering(cr, ci, xr, xi, or_, oi, sum_re, sum_im, s, start, end, run);
}
void ds_add_lowering_baseline(LOWERING_ARGS) { lowering(cr, ci, xr, xi, or_, oi, sum_re, sum_im, s, start, end, run); }
__attribute__((target("avx2"))) void ds_add_raising_avx2(RAISING_ARGS) {
    raising(cr, ci, xr, xi, kr, ki, y_re, y_im, or_, oi, s, start, end, run);
}
void ds_add_raising_baseline(RAISING_ARGS) { raising(cr, ci, xr, xi, kr, ki, y_re, y_im, or_, oi, s, start, end, run); }

int ds_have_avx2(void) {
    static int have = -1;
    if (have < 0) have = __builtin_cpu_supports("avx2") ? 1 : 0;
    return have;
}

void ds_add_lowering(LOWERING_ARGS) {
    if (ds_have_avx2()) ds_add_lowering_avx2(cr, ci, xr, xi, or_, oi, sum_re, sum_im, s, start, end, run);
    else ds_add_lowering_baseline(cr, ci, xr, xi, or_, oi, sum_re, sum_im, s, start, end, run);
}
void ds_add_raising(RAISING_ARGS) {
    if (ds_have_avx2()) ds_add_raising_avx2(cr, ci, xr, xi, kr, ki, y_re, y_im, or_, oi, s, start, end, run);
    else ds_add_raising_baseline(cr, ci, xr, xi, kr, ki, y_re, y_im, or_, oi, s, start, end, run);
}
