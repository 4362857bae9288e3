/* report_chart.h - horizontal bar charts as inline SVG. */
#ifndef STC_REPORT_CHART_H
#define STC_REPORT_CHART_H

#include <stddef.h>

#include "report_out.h"

/* Okabe-Ito colours (colour-blind safe), by meaning. */
enum chart_color {
    CC_GOOD,
    CC_WARN,
    CC_BAD,
    CC_ERROR,
    CC_INFO,
    CC_NEUTRAL,
    CC_SKY,
    CC_YELLOW,
    CC_N
};

struct chart_bar {
    const char *label; /* may come from the data: escaped */
    unsigned long long value;
    enum chart_color color;
};

struct chart {
    const char *id;           /* our literal: element id */
    const char *title;        /* our literal */
    const char *axis;         /* our literal: what the bars count ("domains") */
    unsigned long long total; /* base of the printed shares; 0: none */
    const struct chart_bar *bars;
    size_t n;
    const char *note; /* our literal, under the chart, or NULL */
};

/** A <figure> with the title, an SVG bar per entry (value and share printed
 *  beside it), an x axis with ticks and its label, and the note. */
void chart_bars(struct rout *o, const struct chart *c);
/** The colour's hex code. */
const char *chart_color_hex(enum chart_color c);

#endif
