/* SPDX-License-Identifier: GPL-2.0 */
/*
 * adsim sim --svg: the interval samples of one or more runs as an SVG a
 * browser shows, one panel per metric, one line per run (per variant
 * value under --compare).  A panel's y is the metric's count in each
 * interval, not the running total, so a policy's cost over time shows as
 * the height of its line.
 */
#ifndef ADSIM_SIM_SVG_H
#define ADSIM_SIM_SVG_H

#include <stddef.h>

#include "sim.h"

/* The per-interval metrics a plot can show, in panel order. */
struct sim_plot_metric {
	const char *name;	/* as in the JSON samples */
	const char *label;
	size_t offset;		/* of its u64 in struct sim_sample */
};
extern const struct sim_plot_metric sim_plot_metrics[];
extern const int sim_nr_plot_metrics;

/* Index of metric NAME in sim_plot_metrics, or -1. */
int sim_plot_metric_lookup(const char *name);

/*
 * Writes the plot of runs m[0..nr) (named names[i] in the legend) to path,
 * through a temporary file renamed into place, so a failed write leaves
 * no partial file.  mask selects metrics (bit i: sim_plot_metrics[i]).
 * Return: 0, or -1 with the reason in err.
 */
int sim_write_svg(const char *path, const char *title, u32 mask, int nr,
		  const char *const *names, const struct sim_metrics *m, char *err, size_t n);

#endif
