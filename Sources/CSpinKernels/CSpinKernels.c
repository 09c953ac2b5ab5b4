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

// Bits 0, 1 and 2 of a group of 8 amplitudes in registers, one group after the other: the same operations
// per amplitude, in the same order (bit 0, 1, then 2), as three passes of the kernels above, so the same
// bits, without their per-run overhead at runs of 1, 2 and 4 (which made bits 0 and 1 cost 4–6 times a
// wide bit). Bits 0 and 1 use the scalar formula, bit 2 (a run of 4) the vector one. c holds
// c0.re, c0.im, c1.re, c1.im, c2.re, c2.im.
static inline __attribute__((always_inline)) void lowering_low3(
    const double *restrict c, const double *restrict xr, const double *restrict xi, double *restrict or_,
    double *restrict oi, double *restrict sum_re, double *restrict sum_im, ptrdiff_t start, ptrdiff_t end) {
    for (ptrdiff_t g = start; g < end; g += 8) {
        double Xr[8], Xi[8], Or[8], Oi[8];
        for (int j = 0; j < 8; j++) { Xr[j] = xr[g + j]; Xi[j] = xi[g + j]; Or[j] = or_[g + j]; Oi[j] = oi[g + j]; }
        for (int j = 0; j < 8; j += 2) {
            Or[j] += c[0] * Xr[j + 1] - c[1] * Xi[j + 1];
            Oi[j] += c[0] * Xi[j + 1] + c[1] * Xr[j + 1];
        }
        for (int j = 0; j < 8; j += (j & 1) ? 3 : 1) {   // 0, 1, 4, 5
            Or[j] += c[2] * Xr[j + 2] - c[3] * Xi[j + 2];
            Oi[j] += c[2] * Xi[j + 2] + c[3] * Xr[j + 2];
        }
        for (int j = 0; j < 4; j++) {
            Or[j] = Or[j] + c[4] * Xr[j + 4] - c[5] * Xi[j + 4];
            Oi[j] = Oi[j] + c[4] * Xi[j + 4] + c[5] * Xr[j + 4];
        }
        for (int j = 0; j < 8; j++) { or_[g + j] = Or[j]; oi[g + j] = Oi[j]; }
        if (sum_re) {
            double Sr[8], Si[8];
            for (int j = 0; j < 8; j++) { Sr[j] = sum_re[g + j]; Si[j] = sum_im[g + j]; }
            for (int j = 0; j < 8; j += 2) { Sr[j] += Xr[j + 1]; Si[j] += Xi[j + 1]; }
            for (int j = 0; j < 8; j += (j & 1) ? 3 : 1) { Sr[j] += Xr[j + 2]; Si[j] += Xi[j + 2]; }
            for (int j = 0; j < 4; j++) { Sr[j] += Xr[j + 4]; Si[j] += Xi[j + 4]; }
            for (int j = 0; j < 8; j++) { sum_re[g + j] = Sr[j]; sum_im[g + j] = Si[j]; }
        }
    }
}

static inline __attribute__((always_inline)) void raising_low3(
    const double *restrict c, const double *restrict xr, const double *restrict xi, double kr, double ki,
    const double *restrict y_re, const double *restrict y_im, double *restrict or_, double *restrict oi,
    ptrdiff_t start, ptrdiff_t end) {
    for (ptrdiff_t g = start; g < end; g += 8) {
        double Xr[8], Xi[8], Or[8], Oi[8], Yr[8], Yi[8];
        for (int j = 0; j < 8; j++) { Xr[j] = xr[g + j]; Xi[j] = xi[g + j]; Or[j] = or_[g + j]; Oi[j] = oi[g + j]; }
        if (y_re) {
            for (int j = 0; j < 8; j++) { Yr[j] = y_re[g + j]; Yi[j] = y_im[g + j]; }
            for (int j = 0; j < 8; j += 2) {
                double ur = c[0] * Xr[j] - c[1] * Xi[j], ui = c[0] * Xi[j] + c[1] * Xr[j];
                ur += kr * Yr[j] - ki * Yi[j];
                ui += kr * Yi[j] + ki * Yr[j];
                Or[j + 1] += ur;
                Oi[j + 1] += ui;
            }
            for (int j = 0; j < 8; j += (j & 1) ? 3 : 1) {
                double ur = c[2] * Xr[j] - c[3] * Xi[j], ui = c[2] * Xi[j] + c[3] * Xr[j];
                ur += kr * Yr[j] - ki * Yi[j];
                ui += kr * Yi[j] + ki * Yr[j];
                Or[j + 2] += ur;
                Oi[j + 2] += ui;
            }
            for (int j = 0; j < 4; j++) {
                double ur = Or[j + 4] + c[4] * Xr[j] - c[5] * Xi[j];
                double ui = Oi[j + 4] + c[4] * Xi[j] + c[5] * Xr[j];
                ur += kr * Yr[j] - ki * Yi[j];
                ui += kr * Yi[j] + ki * Yr[j];
                Or[j + 4] = ur;
                Oi[j + 4] = ui;
            }
        } else {
            for (int j = 0; j < 8; j += 2) {
                double ur = c[0] * Xr[j] - c[1] * Xi[j], ui = c[0] * Xi[j] + c[1] * Xr[j];
                Or[j + 1] += ur;
                Oi[j + 1] += ui;
            }
            for (int j = 0; j < 8; j += (j & 1) ? 3 : 1) {
                double ur = c[2] * Xr[j] - c[3] * Xi[j], ui = c[2] * Xi[j] + c[3] * Xr[j];
                Or[j + 2] += ur;
                Oi[j + 2] += ui;
            }
            for (int j = 0; j < 4; j++) {
                Or[j + 4] = Or[j + 4] + c[4] * Xr[j] - c[5] * Xi[j];
                Oi[j + 4] = Oi[j + 4] + c[4] * Xi[j] + c[5] * Xr[j];
            }
        }
        for (int j = 0; j < 8; j++) { or_[g + j] = Or[j]; oi[g + j] = Oi[j]; }
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

#define LOWERING_LOW3_ARGS                                                                                      \
    const double *c, const double *xr, const double *xi, double *or_, double *oi, double *sum_re, double *sum_im, \
        ptrdiff_t start, ptrdiff_t end
#define RAISING_LOW3_ARGS                                                                                       \
    const double *c, const double *xr, const double *xi, double kr, double ki, const double *y_re,             \
        const double *y_im, double *or_, double *oi, ptrdiff_t start, ptrdiff_t end

__attribute__((target("avx2"))) void ds_add_lowering_low3_avx2(LOWERING_LOW3_ARGS) {
    lowering_low3(c, xr, xi, or_, oi, sum_re, sum_im, start, end);
}
void ds_add_lowering_low3_baseline(LOWERING_LOW3_ARGS) { lowering_low3(c, xr, xi, or_, oi, sum_re, sum_im, start, end); }
__attribute__((target("avx2"))) void ds_add_raising_low3_avx2(RAISING_LOW3_ARGS) {
    raising_low3(c, xr, xi, kr, ki, y_re, y_im, or_, oi, start, end);
}
void ds_add_raising_low3_baseline(RAISING_LOW3_ARGS) { raising_low3(c, xr, xi, kr, ki, y_re, y_im, or_, oi, start, end); }

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
void ds_add_lowering_low3(LOWERING_LOW3_ARGS) {
    if (ds_have_avx2()) ds_add_lowering_low3_avx2(c, xr, xi, or_, oi, sum_re, sum_im, start, end);
    else ds_add_lowering_low3_baseline(c, xr, xi, or_, oi, sum_re, sum_im, start, end);
}
void ds_add_raising_low3(RAISING_LOW3_ARGS) {
    if (ds_have_avx2()) ds_add_raising_low3_avx2(c, xr, xi, kr, ki, y_re, y_im, or_, oi, start, end);
    else ds_add_raising_low3_baseline(c, xr, xi, kr, ki, y_re, y_im, or_, oi, start, end);
}
