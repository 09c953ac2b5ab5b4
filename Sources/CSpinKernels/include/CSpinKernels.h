#ifndef CSPINKERNELS_H
#define CSPINKERNELS_H

#include <stddef.h>

/// The two single-dipole kernels of ExactBackend.SpinKernels (Sources/ExactBackend/SpinKernels.swift says
/// what they compute), over the runs of one bit: for every base in start, start + 2s, … < end, the pairs
/// (i, i + s), i in base..<base + run. Compiled twice (`_avx2` and `_baseline`, both exported for tests) and
/// picked by the CPU; both evaluate every amplitude with the same operations in the same order and no fused
/// multiply-add, so the results are the same bits on every CPU (docs/physics.md §6.3.3).

/// out(i) += c x(i + s) (and sum(i) += x(i + s) when sum_re is not NULL).
void ds_add_lowering(double cr, double ci, const double *xr, const double *xi, double *or_, double *oi,
                     double *sum_re, double *sum_im, ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);

/// out(i + s) += c x(i) (+ k y(i) when y_re is not NULL).
void ds_add_raising(double cr, double ci, const double *xr, const double *xi, double kr, double ki,
                    const double *y_re, const double *y_im, double *or_, double *oi,
                    ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);

/// Both kernels for bits 0, 1 and 2 at once (s = 1, 2, 4 over [start, end), a multiple of 8 long), the same
/// bits as three calls of the kernels above in that order; c = {c0.re, c0.im, c1.re, c1.im, c2.re, c2.im}.
void ds_add_lowering_low3(const double *c, const double *xr, const double *xi, double *or_, double *oi,
                          double *sum_re, double *sum_im, ptrdiff_t start, ptrdiff_t end);
void ds_add_raising_low3(const double *c, const double *xr, const double *xi, double kr, double ki,
                         const double *y_re, const double *y_im, double *or_, double *oi, ptrdiff_t start, ptrdiff_t end);

/// The two builds of each kernel, and whether this CPU runs the AVX2 one (tests compare them bit for bit).
void ds_add_lowering_avx2(double cr, double ci, const double *xr, const double *xi, double *or_, double *oi,
                          double *sum_re, double *sum_im, ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);
void ds_add_lowering_baseline(double cr, double ci, const double *xr, const double *xi, double *or_, double *oi,
                              double *sum_re, double *sum_im, ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);
void ds_add_raising_avx2(double cr, double ci, const double *xr, const double *xi, double kr, double ki,
                         const double *y_re, const double *y_im, double *or_, double *oi,
                         ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);
void ds_add_raising_baseline(double cr, double ci, const double *xr, const double *xi, double kr, double ki,
                             const double *y_re, const double *y_im, double *or_, double *oi,
                             ptrdiff_t s, ptrdiff_t start, ptrdiff_t end, ptrdiff_t run);
void ds_add_lowering_low3_avx2(const double *c, const double *xr, const double *xi, double *or_, double *oi,
                               double *sum_re, double *sum_im, ptrdiff_t start, ptrdiff_t end);
void ds_add_lowering_low3_baseline(const double *c, const double *xr, const double *xi, double *or_, double *oi,
                                   double *sum_re, double *sum_im, ptrdiff_t start, ptrdiff_t end);
void ds_add_raising_low3_avx2(const double *c, const double *xr, const double *xi, double kr, double ki,
                              const double *y_re, const double *y_im, double *or_, double *oi, ptrdiff_t start,
                              ptrdiff_t end);
void ds_add_raising_low3_baseline(const double *c, const double *xr, const double *xi, double kr, double ki,
                                  const double *y_re, const double *y_im, double *or_, double *oi, ptrdiff_t start,
                                  ptrdiff_t end);
int ds_have_avx2(void);

#endif
