/*
 * NAME
 *     report_chart - bar charts as inline SVG, readable without hovering
 * SYNOPSIS
 *     #include "report_chart.h"
 *     struct chart_bar b[] = {{"TLS 1.3", 812, CC_GOOD}, {"TLS 1.2", 97, CC_INFO}};
 *     struct chart c = {"ver", "TLS versions", "MX hosts", 909, b, 2, NULL};
 *     chart_bars(&out, &c);
 * DESCRIPTION
 *     One horizontal bar per entry, in the order given: the label on the
 *     left, the bar, and its value with its share of total printed right
 *     of the bar, so nothing needs a tooltip. Under the bars an x axis
 *     with four or five round ticks and the axis label. The SVG has
 *     role="img", a <title> and a <desc> listing every value, for screen
 *     readers. Colours are the Okabe-Ito palette (safe for the common
 *     colour-vision deficiencies); every bar also carries its value as
 *     text, so colour is never the only cue. Each bar is a <g
 *     class="bar"> with data-label and data-value attributes (the browser
 *     tests read them). Labels are escaped (they may come from the data);
 *     a label over LABEL_SHOW bytes is shown cut, whole in its <title>.
 * LIMITS
 *     Labels shown up to LABEL_SHOW bytes.
 * DIAGNOSTICS
 *     None; write errors are kept in struct rout.
 */
#include "report_chart.h"

#include <string.h>

#define WIDTH 600
#define LABEL_W 180
#define BAR_W 300
#define ROW_H 26
#define TOP 8
#define AXIS_H 46
#define LABEL_SHOW 30

static const char *const hex[CC_N] = {"#009E73", "#E69F00", "#D55E00", "#CC79A7",
                                      "#0072B2", "#999999", "#56B4E9", "#F0E442"};

const char *chart_color_hex(enum chart_color c)
{
    return (unsigned)c < CC_N ? hex[c] : hex[CC_NEUTRAL];
}

/* A round tick step so that max fits in 4 or 5 steps. */
static unsigned long long tick_step(unsigned long long max)
{
    unsigned long long step = 1;
    while (step * 5 < max) {
        if (step * 2 * 5 >= max)
            return step * 2;
        if (step * 5 * 5 >= max)
            return step * 5;
        step *= 10;
    }
    return step;
}

static void share(char *buf, size_t n, unsigned long long v, unsigned long long total)
{
    if (total == 0)
        buf[0] = '\0';
    else
        snprintf(buf, n, " (%.1f%%)", 100.0 * (double)v / (double)total);
}

static void label_text(struct rout *o, const char *label)
{
    char cut[LABEL_SHOW + 4];
    if (strlen(label) <= LABEL_SHOW) {
        ro_html(o, label);
        return;
    }
    memcpy(cut, label, LABEL_SHOW - 3);
    memcpy(cut + LABEL_SHOW - 3, "...", 4);
    ro_html(o, cut);
}

void chart_bars(struct rout *o, const struct chart *c)
{
    unsigned long long max = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->bars[i].value > max)
            max = c->bars[i].value;
    unsigned long long step = tick_step(max ? max : 1);
    unsigned long long top = step;
    while (top < max)
        top += step;
    int h = TOP + (int)c->n * ROW_H + AXIS_H;
    int axis_y = TOP + (int)c->n * ROW_H + 4;
    char sh[32];

    ro_printf(o, "<figure class=\"chart\" id=\"%s\"><figcaption>%s</figcaption>\n", c->id,
              c->title);
    ro_printf(o,
              "<svg role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 %d %d\" width=\"%d\" "
              "height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">",
              c->id, c->id, WIDTH, h, WIDTH, h);
    ro_printf(o, "<title id=\"%s-t\">%s</title><desc id=\"%s-d\">", c->id, c->title, c->id);
    for (size_t i = 0; i < c->n; i++) {
        share(sh, sizeof sh, c->bars[i].value, c->total);
        ro_html(o, c->bars[i].label);
        ro_printf(o, ": %llu%s%s", c->bars[i].value, sh, i + 1 < c->n ? "; " : "");
    }
    ro_puts(o, "</desc>\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct chart_bar *b = &c->bars[i];
        int y = TOP + (int)i * ROW_H;
        int w = (int)((double)BAR_W * (double)b->value / (double)top + 0.5);
        if (b->value > 0 && w < 2)
            w = 2;
        share(sh, sizeof sh, b->value, c->total);
        ro_puts(o, "<g class=\"bar\" data-label=\"");
        ro_html(o, b->label);
        ro_printf(o, "\" data-value=\"%llu\"><title>", b->value);
        ro_html(o, b->label);
        ro_printf(o, ": %llu%s</title>", b->value, sh);
        ro_printf(o, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
                  y + 17);
        label_text(o, b->label);
        ro_printf(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                  LABEL_W, y + 3, w, ROW_H - 6, chart_color_hex(b->color));
        ro_printf(o, "<text class=\"val\" x=\"%d\" y=\"%d\">%llu%s</text></g>\n", LABEL_W + w + 6,
                  y + 17, b->value, sh);
    }
    /* x axis: line, ticks, numbers, label */
    ro_printf(o, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", LABEL_W,
              axis_y, LABEL_W + BAR_W, axis_y);
    for (unsigned long long t = 0; t <= top; t += step) {
        int x = LABEL_W + (int)((double)BAR_W * (double)t / (double)top + 0.5);
        ro_printf(o,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text x=\"%d\" y=\"%d\" "
                  "text-anchor=\"middle\">%llu</text>",
                  x, axis_y, x, axis_y + 5, x, axis_y + 18, t);
    }
    ro_printf(o, "<text class=\"axl\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>",
              LABEL_W + BAR_W / 2, axis_y + 36, c->axis);
    ro_puts(o, "</svg>");
    if (c->note != NULL)
        ro_printf(o, "<p class=\"note\">%s</p>", c->note);
    ro_puts(o, "</figure>\n");
}
