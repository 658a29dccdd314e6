// SPDX-License-Identifier: GPL-2.0
/* adsim sim --svg: interval samples as small-multiple line plots. */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define M(name, label) { #name, label, offsetof(struct sim_sample, name) }
const struct sim_plot_metric sim_plot_metrics[] = {
	M(page_faults, "page faults"),
	M(tlb_flushes, "TLB flushes"),
	M(ipis, "shootdown IPIs"),
	M(notifier_calls, "mmu_notifier calls"),
	M(spte_zaps, "SPTEs zapped"),
	M(dirty_helper_ptes, "PTEs walked by dirty helpers"),
};
#undef M
const int sim_nr_plot_metrics = sizeof(sim_plot_metrics) / sizeof(sim_plot_metrics[0]);

int sim_plot_metric_lookup(const char *name)
{
	for (int i = 0; i < sim_nr_plot_metrics; i++)
		if (!strcmp(sim_plot_metrics[i].name, name))
			return i;
	return -1;
}

/* Plot geometry, in SVG user units. */
enum { W = 760, PANEL_H = 210, LEFT = 78, RIGHT = 24, TOP = 34, BOTTOM = 40, HEAD = 54 };

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd" };

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* 1, 2 or 5 times a power of ten, so that about four steps reach max. */
static double nice_step(double max)
{
	double raw = max / 4, p, m;

	if (raw <= 0)
		return 1;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void fmt_count(char *b, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(b, n, "%gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(b, n, "%gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(b, n, "%gK", v / 1e3);
	else
		snprintf(b, n, "%g", v);
}

static u64 sample_at(const struct sim_metrics *m, u64 i, size_t off)
{
	u64 v;

	memcpy(&v, (const char *)&m->samples[i] + off, sizeof(v));
	return v;
}

/* The metric's count in interval i: the difference of running totals. */
static u64 interval(const struct sim_metrics *m, u64 i, size_t off)
{
	return sample_at(m, i, off) - (i ? sample_at(m, i - 1, off) : 0);
}

static void panel(FILE *f, int y0, const struct sim_plot_metric *pm, int nr,
		  const struct sim_metrics *m, double xmax)
{
	int pw = W - LEFT - RIGHT, ph = PANEL_H - TOP - BOTTOM;
	double ymax = 0, xstep, ystep;
	char b[32];

	for (int r = 0; r < nr; r++)
		for (u64 i = 0; i < m[r].nr_samples; i++)
			if ((double)interval(&m[r], i, pm->offset) > ymax)
				ymax = (double)interval(&m[r], i, pm->offset);
	ystep = nice_step(ymax);
	ymax = ymax > 0 ? ceil(ymax / ystep) * ystep : 1;
	xstep = nice_step(xmax);

	fprintf(f, "<g transform=\"translate(%d,%d)\">\n", LEFT, y0 + TOP);
	fprintf(f, "<text x=\"0\" y=\"-10\" class=\"t\">%s per interval</text>\n", pm->label);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" class=\"frame\"/>\n", pw, ph);
	for (double y = 0; y <= ymax + ystep / 2; y += ystep) {
		double py = ph - y / ymax * ph;

		fmt_count(b, sizeof(b), y);
		fprintf(f, "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
			"<text x=\"-6\" y=\"%.1f\" class=\"yl\">%s</text>\n", pw, py, py, py + 4, b);
	}
	for (double x = 0; x <= xmax + xstep / 2; x += xstep) {
		double px = x / xmax * pw;

		fmt_count(b, sizeof(b), x);
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"tick\"/>"
			"<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n",
			px, px, ph, ph + 4, px, ph + 17, b);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xl\">accesses</text>\n", pw / 2, ph + 33);
	for (int r = 0; r < nr; r++) {
		fprintf(f, "<polyline class=\"run\" stroke=\"%s\" points=\"",
			colours[r % (int)(sizeof(colours) / sizeof(colours[0]))]);
		for (u64 i = 0; i < m[r].nr_samples; i++)
			fprintf(f, "%s%.1f,%.1f", i ? " " : "",
				(double)m[r].samples[i].accesses / xmax * pw,
				ph - (double)interval(&m[r], i, pm->offset) / ymax * ph);
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "</g>\n");
}

static int write_svg(FILE *f, const char *title, u32 mask, int nr, const char *const *names,
		     const struct sim_metrics *m)
{
	int panels = 0, y = HEAD;
	double xmax = 1;

	for (int i = 0; i < sim_nr_plot_metrics; i++)
		panels += !!(mask & (1u << i));
	for (int r = 0; r < nr; r++)
		if (m[r].nr_samples && (double)m[r].samples[m[r].nr_samples - 1].accesses > xmax)
			xmax = (double)m[r].samples[m[r].nr_samples - 1].accesses;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, HEAD + panels * PANEL_H, W, HEAD + panels * PANEL_H);
	fprintf(f, "<style>.frame{fill:none;stroke:#444}.grid{stroke:#ddd}.tick{stroke:#444}"
		".yl{text-anchor:end}.xl{text-anchor:middle}.t{font-weight:bold}"
		".run{fill:none;stroke-width:1.6}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"20\" class=\"t\">", LEFT);
	xml_text(f, title);
	fprintf(f, "</text>\n");
	for (int r = 0; r < nr; r++) {
		int x = LEFT + r * 180;

		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"38\" y2=\"38\" stroke=\"%s\" "
			"stroke-width=\"3\"/><text x=\"%d\" y=\"42\">", x, x + 22,
			colours[r % (int)(sizeof(colours) / sizeof(colours[0]))], x + 28);
		xml_text(f, names[r]);
		fprintf(f, "</text>\n");
	}
	for (int i = 0; i < sim_nr_plot_metrics; i++)
		if (mask & (1u << i)) {
			panel(f, y, &sim_plot_metrics[i], nr, m, xmax);
			y += PANEL_H;
		}
	fprintf(f, "</svg>\n");
	return ferror(f) ? -1 : 0;
}

int sim_write_svg(const char *path, const char *title, u32 mask, int nr,
		  const char *const *names, const struct sim_metrics *m, char *err, size_t n)
{
	char tmp[4096];
	FILE *f;
	int e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return snprintf(err, n, "--svg %s: path too long", path), -1;
	f = fopen(tmp, "w");
	if (!f)
		return snprintf(err, n, "--svg %s: %s", path, strerror(errno)), -1;
	e = write_svg(f, title, mask, nr, names, m);
	if (fclose(f) || e) {
		e = errno;
		unlink(tmp);
		return snprintf(err, n, "--svg %s: write failed: %s", path, strerror(e)), -1;
	}
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return snprintf(err, n, "--svg %s: %s", path, strerror(e)), -1;
	}
	return 0;
}
