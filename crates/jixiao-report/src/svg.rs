//! Charts drawn as SVG on the server (bar, line, radar), for HTML reports and pages: no script,
//! so they print and archive as they are.

use crate::doc::{Chart, ChartKind};
use crate::xml::escape;
use crate::zhnum::plain;

const W: f64 = 640.0;
const H: f64 = 320.0;
const COLOURS: [&str; 6] = [
    "#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83",
];

fn nice_max(chart: &Chart) -> f64 {
    chart.max.unwrap_or_else(|| {
        let m = chart
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max);
        if m <= 0.0 {
            1.0
        } else {
            let step = 10f64.powf(m.log10().floor());
            (m / step).ceil() * step
        }
    })
}

pub fn to_svg(chart: &Chart) -> String {
    let title = escape(&chart.title);
    let body = match chart.kind {
        ChartKind::Bar | ChartKind::Line => cartesian(chart),
        ChartKind::Radar => radar(chart),
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-label=\"{title}\" font-family=\"sans-serif\" font-size=\"11\">\
         <title>{title}</title>\
         <text x=\"{}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\">{title}</text>{body}</svg>",
        W / 2.0
    )
}

fn cartesian(chart: &Chart) -> String {
    let (left, right, top, bottom) = (48.0, 12.0, 28.0, 64.0);
    let (pw, ph) = (W - left - right, H - top - bottom);
    let max = nice_max(chart);
    let n = chart.categories.len().max(1) as f64;
    let slot = pw / n;
    let mut s = String::new();
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let y = top + ph - ph * k as f64 / 4.0;
        s += &format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + pw,
            left - 4.0,
            y + 4.0,
            plain(v, 2)
        );
    }
    for (i, c) in chart.categories.iter().enumerate() {
        let x = left + slot * (i as f64 + 0.5);
        s += &format!(
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"end\" transform=\"rotate(-40 {x:.1} {:.1})\">{}</text>",
            top + ph + 14.0,
            top + ph + 14.0,
            escape(c)
        );
    }
    let series_n = chart.series.len().max(1) as f64;
    for (si, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[si % COLOURS.len()];
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    left + slot * (i as f64 + 0.5),
                    top + ph - ph * (v / max).clamp(0.0, 1.0),
                )
            })
            .collect();
        match chart.kind {
            ChartKind::Bar => {
                let bw = slot * 0.7 / series_n;
                for (i, (x, y)) in points.iter().enumerate() {
                    let x0 = x - slot * 0.35 + bw * si as f64;
                    s += &format!(
                        "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
                        top + ph - y,
                        escape(&chart.categories[i]),
                        plain(series.values[i], 2)
                    );
                }
            }
            _ => {
                let path: Vec<String> = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect();
                s += &format!(
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                    path.join(" ")
                );
                for (x, y) in &points {
                    s +=
                        &format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"/>");
                }
            }
        }
    }
    // Several series need a legend: a swatch and a name each, stacked in the plot's top right
    // corner on a white ground (clear of the title, whatever the number of series).
    if chart.series.len() > 1 {
        let x = W - right - 116.0;
        s += &format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"112\" height=\"{:.1}\" fill=\"#fff\" stroke=\"#ddd\"/>",
            x - 4.0,
            top + 2.0,
            chart.series.len() as f64 * 14.0 + 4.0
        );
        for (si, series) in chart.series.iter().enumerate() {
            let y = top + 6.0 + 14.0 * si as f64;
            s += &format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                COLOURS[si % COLOURS.len()],
                x + 14.0,
                y + 9.0,
                escape(&series.name)
            );
        }
    }
    s
}

fn radar(chart: &Chart) -> String {
    let (cx, cy, r) = (W / 2.0, H / 2.0 + 10.0, H / 2.0 - 44.0);
    let max = nice_max(chart);
    let n = chart.categories.len().max(3);
    let at = |i: usize, share: f64| {
        let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (cx + r * share * a.cos(), cy + r * share * a.sin())
    };
    let mut s = String::new();
    for ring in 1..=4 {
        let pts: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = at(i, ring as f64 / 4.0);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        s += &format!(
            "<polygon points=\"{}\" fill=\"none\" stroke=\"#ddd\"/>",
            pts.join(" ")
        );
    }
    for (i, c) in chart.categories.iter().enumerate() {
        let (x, y) = at(i, 1.12);
        s += &format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{}</text>",
            escape(c)
        );
    }
    for (si, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[si % COLOURS.len()];
        let pts: Vec<String> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (x, y) = at(i, (v / max).clamp(0.0, 1.0));
                format!("{x:.1},{y:.1}")
            })
            .collect();
        s += &format!(
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.25\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            pts.join(" ")
        );
    }
    s
}
