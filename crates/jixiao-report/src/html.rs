//! A self-contained HTML document (styles inline, charts as SVG with their data tables), laid out
//! like the printed report.

use crate::doc::{Block, Document, Table};
use crate::markdown::chart_table;
use crate::svg::to_svg;

pub use crate::xml::escape;

const STYLE: &str = "body{max-width:52em;margin:2em auto;padding:0 1em;\
font-family:'FangSong','仿宋','仿宋_GB2312','STFangsong','Noto Serif CJK SC',serif;\
font-size:16pt;line-height:1.75;color:#000}\
h1{font-family:'方正小标宋简体','FZXiaoBiaoSong-B05S','SimSun','Noto Serif CJK SC',serif;\
font-size:22pt;font-weight:normal;text-align:center;margin:1em 0 .5em}\
.subtitle{text-align:center;font-family:'KaiTi','楷体','楷体_GB2312',serif;margin:0}\
h2{font-family:'SimHei','黑体','Noto Sans CJK SC',sans-serif;font-size:16pt;font-weight:normal;margin:1em 0 0}\
h3{font-family:'KaiTi','楷体','楷体_GB2312',serif;font-size:16pt;font-weight:normal;margin:.5em 0 0;text-indent:2em}\
h4{font-size:16pt;font-weight:bold;margin:.5em 0 0;text-indent:2em}\
p{text-indent:2em;margin:0}ol{margin:0 0 0 2em}\
table{border-collapse:collapse;margin:.8em auto;font-size:11pt;line-height:1.4}\
caption{font-weight:bold;padding:.3em}th,td{border:1px solid #000;padding:.2em .5em}\
td.n{text-align:right}figure{margin:1em 0;text-align:center}figure svg{max-width:100%;height:auto}\
details{font-size:11pt}@media print{body{max-width:none}}";

fn table(out: &mut String, t: &Table) {
    out.push_str("<table>");
    if !t.caption.is_empty() {
        out.push_str(&format!("<caption>{}</caption>", escape(&t.caption)));
    }
    out.push_str("<thead><tr>");
    for h in &t.header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let class = if t.numeric.contains(&i) {
                " class=\"n\""
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>{}</td>", escape(c)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

pub fn to_html(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n<h1>{}</h1>\n",
        escape(&doc.title),
        escape(&doc.title)
    );
    for s in &doc.subtitle {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(s)));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading { level, text } => {
                let l = level + 1;
                out.push_str(&format!("<h{l}>{}</h{l}>\n", escape(text)));
            }
            Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::List { items } => {
                out.push_str("<ol>");
                for i in items {
                    out.push_str(&format!("<li>{}</li>", escape(i)));
                }
                out.push_str("</ol>\n");
            }
            Block::Table(t) => table(&mut out, t),
            Block::Chart(c) => {
                out.push_str(&format!(
                    "<figure>{}<details><summary>数据</summary>",
                    to_svg(c)
                ));
                table(&mut out, &chart_table(c));
                out.push_str("</details></figure>\n");
            }
            Block::PageBreak => out.push_str("<hr>\n"),
        }
    }
    out.push_str("</main></body></html>\n");
    out
}
