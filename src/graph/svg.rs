//! The graph as an SVG picture, laid out by iacgen itself: [layout-rs](https://crates.io/crates/layout-rs)
//! ranks the nodes, orders them to cut crossings and routes the edges (no Graphviz needed); this
//! file sizes the boxes and writes the SVG through its own [`RenderBackend`], so the bytes are
//! deterministic (fixed number format, no hash-map order) and the text fits its box.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::graph::{EdgeKind, Graph, NodeKind};

/// Font sizes: a node's name, its other lines, edge labels and the legend.
const NAME_SIZE: f64 = 13.0;
const LINE_SIZE: f64 = 11.0;
/// Average advance of a character, as a share of the font size (Helvetica/Arial/DejaVu Sans are
/// 0.50–0.60 for lower case; 0.62 leaves room for capitals and digits).
const ADVANCE: f64 = 0.62;
const LINE_GAP: f64 = 15.0;
const PADDING_X: f64 = 14.0;
const PADDING_Y: f64 = 10.0;
/// layout-rs sizes edge-label boxes as `characters × font size`; the look of an edge label asks
/// for this "font size" so the box matches 11 px text (`LINE_SIZE × ADVANCE` per character).
const EDGE_LABEL_LAYOUT_SIZE: usize = 7;
/// The font size given to node looks: the canvas tells node text from edge labels by it.
const NODE_LOOK_SIZE: usize = 13;
const MARGIN: f64 = 16.0;
const FONT: &str = "Helvetica, Arial, 'DejaVu Sans', sans-serif";

/// Fill and stroke of each node kind (the same palette as the Mermaid and DOT renderers).
fn node_colors(kind: NodeKind) -> (u32, u32) {
    match kind {
        NodeKind::Clients => (0xf3f4f6, 0x4b5563),
        NodeKind::Gateway => (0xfef3c7, 0xb45309),
        NodeKind::Service => (0xdbeafe, 0x1d4ed8),
        NodeKind::Job => (0xede9fe, 0x6d28d9),
        NodeKind::Resource => (0xdcfce7, 0x15803d),
        NodeKind::External => (0xfce7f3, 0xbe185d),
    }
}

/// Colour, width and dashing of each edge kind.
fn edge_look(kind: EdgeKind) -> (u32, usize, bool) {
    match kind {
        EdgeKind::Route => (0xb45309, 2, false),
        EdgeKind::Uses => (0x15803d, 1, false),
        EdgeKind::Calls => (0x1d4ed8, 1, true),
        EdgeKind::Egress => (0xbe185d, 1, true),
    }
}

/// The picture: title, graph, legend.
pub fn render(graph: &Graph) -> String {
    let mut canvas = Canvas::default();
    if !graph.nodes.is_empty() {
        let mut visual = VisualGraph::new(Orientation::LeftToRight);
        let mut handles = BTreeMap::new();
        for node in graph.ordered_nodes() {
            let lines = graph.label_lines(node);
            let (fill, stroke) = node_colors(node.kind);
            let look = StyleAttr::new(rgb(stroke), 2, Some(rgb(fill)), 8, NODE_LOOK_SIZE);
            let size = box_size(&lines);
            let element = Element::create(ShapeKind::new_box(&lines.join("\n")), look, Orientation::LeftToRight, size);
            handles.insert(node.id.clone(), visual.add_node(element));
        }
        for edge in drawn_edges(graph) {
            let (Some(&from), Some(&to)) = (handles.get(&edge.from), handles.get(&edge.to)) else { continue };
            let (color, width, dashed) = edge_look(edge.kind);
            let look = StyleAttr::new(rgb(color), width, None, 0, EDGE_LABEL_LAYOUT_SIZE);
            let start = if edge.both_ways { LineEndKind::Arrow } else { LineEndKind::None };
            let style = if dashed { LineStyleKind::Dashed } else { LineStyleKind::Normal };
            let label = edge.labels.into_iter().collect::<Vec<_>>().join("\n");
            visual.add_edge(Arrow::new(start, LineEndKind::Arrow, style, &label, &look, &None, &None), from, to);
        }
        visual.do_it(false, false, false, &mut canvas);
    }
    canvas.finish(graph)
}

/// One arrow of the picture.
struct DrawnEdge {
    from: String,
    to: String,
    /// The first kind between the two nodes (routes before calls before uses) decides the look.
    kind: EdgeKind,
    both_ways: bool,
    labels: BTreeSet<String>,
}

/// Edges as drawn: one arrow per pair of nodes (layout-rs keeps one edge between two nodes), with
/// the labels of every model edge between them, double-headed when they point both ways.
fn drawn_edges(graph: &Graph) -> Vec<DrawnEdge> {
    let mut pairs: BTreeMap<(String, String), DrawnEdge> = BTreeMap::new();
    for edge in &graph.edges {
        if edge.from == edge.to {
            continue;
        }
        let key = if edge.from < edge.to {
            (edge.from.clone(), edge.to.clone())
        } else {
            (edge.to.clone(), edge.from.clone())
        };
        let drawn = pairs.entry(key).or_insert_with(|| DrawnEdge {
            from: edge.from.clone(),
            to: edge.to.clone(),
            kind: edge.kind,
            both_ways: false,
            labels: BTreeSet::new(),
        });
        drawn.both_ways |= drawn.from != edge.from;
        drawn.kind = drawn.kind.min(edge.kind);
        let label = graph.edge_label(edge);
        if !label.is_empty() {
            drawn.labels.insert(label);
        }
    }
    pairs.into_values().collect()
}

/// A box that holds `lines`: the name in bold, the rest smaller.
fn box_size(lines: &[String]) -> Point {
    let width = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let size = if index == 0 { NAME_SIZE * 1.08 } else { LINE_SIZE };
            line.chars().count() as f64 * size * ADVANCE
        })
        .fold(0.0, f64::max);
    let height = NAME_SIZE + (lines.len().saturating_sub(1)) as f64 * LINE_GAP;
    Point::new((width + 2.0 * PADDING_X).ceil(), (height + 2.0 * PADDING_Y).ceil())
}

fn rgb(hex: u32) -> Color {
    Color::new((hex << 8) | 0xff)
}

/// `#rrggbb` of a layout-rs colour (its web colour has an alpha byte too).
fn web(color: Color) -> String {
    color.to_web_color().chars().take(7).collect()
}

/// Coordinates with at most one decimal, never `-0`.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The SVG under construction, with the bounds of everything drawn.
#[derive(Default)]
struct Canvas {
    /// Drawn in this order: edges, then boxes, then text, so labels are never under a line.
    edges: String,
    boxes: String,
    text: String,
    markers: BTreeSet<String>,
    min: Option<(f64, f64)>,
    max: (f64, f64),
}

impl Canvas {
    fn grow(&mut self, x: f64, y: f64) {
        let (min_x, min_y) = self.min.unwrap_or((x, y));
        self.min = Some((min_x.min(x), min_y.min(y)));
        self.max = (self.max.0.max(x), self.max.1.max(y));
    }

    /// Title above, legend below, and the view box around all of it.
    fn finish(self, graph: &Graph) -> String {
        let (min_x, min_y) = self.min.unwrap_or((0.0, 0.0));
        let (max_x, max_y) = if self.min.is_some() { self.max } else { (240.0, 0.0) };
        let left = min_x - MARGIN;
        let title_y = min_y - MARGIN;
        let top = title_y - NAME_SIZE - MARGIN;
        let legend_y = max_y + MARGIN + 14.0;
        let (legend, legend_width) = legend(graph, left + MARGIN, legend_y);
        let title = match graph.environments.len() {
            1 => format!("{} · environment {}", graph.project, graph.environments[0]),
            _ => format!("{} · environments {}", graph.project, graph.environments.join(", ")),
        };
        let title_width = title.chars().count() as f64 * NAME_SIZE * ADVANCE;
        let right = (max_x + MARGIN).max(left + 2.0 * MARGIN + legend_width.max(title_width));
        let bottom = legend_y + 14.0 + MARGIN;
        let (width, height) = (right - left, bottom - top);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" font-family=\"{FONT}\">",
            num(width),
            num(height),
            num(left),
            num(top),
            num(width),
            num(height)
        );
        let _ = writeln!(out, "<title>{}</title>", escape(&title));
        out.push_str("<defs>\n");
        for color in &self.markers {
            let _ = writeln!(
                out,
                "<marker id=\"head-{color}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#{color}\"/></marker>"
            );
        }
        out.push_str("</defs>\n");
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            num(left),
            num(top),
            num(width),
            num(height)
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{NAME_SIZE}\" font-weight=\"bold\" fill=\"#111827\">{}</text>",
            num(left + MARGIN),
            num(title_y),
            escape(&title)
        );
        out.push_str(&self.edges);
        out.push_str(&self.boxes);
        out.push_str(&self.text);
        out.push_str(&legend);
        out.push_str("</svg>\n");
        out
    }
}

/// One row: a swatch per node kind and a line per edge kind that the graph has.
fn legend(graph: &Graph, x: f64, y: f64) -> (String, f64) {
    let mut out = String::new();
    let mut cursor = x;
    let kinds: BTreeSet<NodeKind> = graph.nodes.values().map(|node| node.kind).collect();
    for kind in kinds {
        let (fill, stroke) = node_colors(kind);
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"12\" rx=\"3\" fill=\"#{fill:06x}\" stroke=\"#{stroke:06x}\"/><text x=\"{}\" y=\"{}\" font-size=\"{LINE_SIZE}\" fill=\"#374151\">{}</text>",
            num(cursor),
            num(y - 10.0),
            num(cursor + 18.0),
            num(y),
            kind.as_str()
        );
        cursor += 18.0 + kind.as_str().len() as f64 * LINE_SIZE * ADVANCE + 14.0;
    }
    let edge_kinds: BTreeSet<EdgeKind> = graph.edges.iter().map(|edge| edge.kind).collect();
    for kind in edge_kinds {
        let (color, width, dashed) = edge_look(kind);
        let dash = if dashed { " stroke-dasharray=\"5,4\"" } else { "" };
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#{color:06x}\" stroke-width=\"{width}\"{dash}/><text x=\"{}\" y=\"{}\" font-size=\"{LINE_SIZE}\" fill=\"#374151\">{}</text>",
            num(cursor),
            num(y - 4.0),
            num(cursor + 24.0),
            num(y - 4.0),
            num(cursor + 28.0),
            num(y),
            kind.as_str()
        );
        cursor += 28.0 + kind.as_str().len() as f64 * LINE_SIZE * ADVANCE + 14.0;
    }
    (out, cursor - x)
}

impl RenderBackend for Canvas {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        _properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        self.grow(xy.x, xy.y);
        self.grow(xy.x + size.x, xy.y + size.y);
        let fill = look.fill_color.map_or_else(|| String::from("none"), web);
        let _ = writeln!(
            self.boxes,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            num(xy.x),
            num(xy.y),
            num(size.x),
            num(size.y),
            look.rounded,
            web(look.line_color),
            look.line_width
        );
    }

    fn draw_line(&mut self, start: Point, stop: Point, look: &StyleAttr, _properties: Option<String>) {
        self.grow(start.x, start.y);
        self.grow(stop.x, stop.y);
        let _ = writeln!(
            self.boxes,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            num(start.x),
            num(start.y),
            num(stop.x),
            num(stop.y),
            web(look.line_color),
            look.line_width
        );
    }

    fn draw_circle(&mut self, xy: Point, size: Point, look: &StyleAttr, _properties: Option<String>) {
        self.grow(xy.x - size.x / 2.0, xy.y - size.y / 2.0);
        self.grow(xy.x + size.x / 2.0, xy.y + size.y / 2.0);
        let fill = look.fill_color.map_or_else(|| String::from("none"), web);
        let _ = writeln!(
            self.boxes,
            "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            num(xy.x),
            num(xy.y),
            num(size.x / 2.0),
            num(size.y / 2.0),
            web(look.line_color),
            look.line_width
        );
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            return;
        }
        let node = look.font_size == NODE_LOOK_SIZE;
        // Baselines of a block of lines centred on `xy`.
        let (first, rest) = if node { (NAME_SIZE, LINE_GAP) } else { (LINE_SIZE, LINE_SIZE + 2.0) };
        let height = first + (lines.len() - 1) as f64 * rest;
        let mut baseline = xy.y - height / 2.0 + first * 0.8;
        for (index, line) in lines.iter().enumerate() {
            let (size, weight, color) = match (node, index) {
                (true, 0) => (NAME_SIZE, " font-weight=\"bold\"", "#111827"),
                (true, _) => (LINE_SIZE, "", "#374151"),
                (false, _) => (LINE_SIZE, "", "#7c2d12"),
            };
            if !node {
                // Edge labels sit on their line: a white backing keeps them readable.
                let width = line.chars().count() as f64 * LINE_SIZE * ADVANCE * 0.92;
                let _ = writeln!(
                    self.text,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0.9\"/>",
                    num(xy.x - width / 2.0 - 2.0),
                    num(baseline - LINE_SIZE * 0.85),
                    num(width + 4.0),
                    num(LINE_SIZE * 1.15)
                );
            }
            let _ = writeln!(
                self.text,
                "<text x=\"{}\" y=\"{}\" font-size=\"{size}\"{weight} fill=\"{color}\" text-anchor=\"middle\">{}</text>",
                num(xy.x),
                num(baseline),
                escape(line)
            );
            baseline += rest;
        }
        if !node {
            let half = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * LINE_SIZE * ADVANCE / 2.0;
            self.grow(xy.x - half, xy.y - height / 2.0);
            self.grow(xy.x + half, xy.y + height / 2.0);
        }
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        _properties: Option<String>,
        _text: &str,
    ) {
        let [first, second, rest @ ..] = path else { return };
        let mut d = format!(
            "M {} {} C {} {}, {} {}, {} {}",
            num(first.0.x),
            num(first.0.y),
            num(first.1.x),
            num(first.1.y),
            num(second.0.x),
            num(second.0.y),
            num(second.1.x),
            num(second.1.y)
        );
        for point in rest {
            let _ = write!(d, " S {} {}, {} {}", num(point.0.x), num(point.0.y), num(point.1.x), num(point.1.y));
        }
        for point in path {
            self.grow(point.1.x, point.1.y);
        }
        let color = web(look.line_color);
        let id = color.trim_start_matches('#').to_string();
        self.markers.insert(id.clone());
        let dash = if dashed { " stroke-dasharray=\"5,4\"" } else { "" };
        let start = if head.0 { format!(" marker-start=\"url(#head-{id})\"") } else { String::new() };
        let end = if head.1 { format!(" marker-end=\"url(#head-{id})\"") } else { String::new() };
        let _ = writeln!(
            self.edges,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{}\"{dash}{start}{end}/>",
            look.line_width
        );
    }

    fn create_clip(&mut self, _xy: Point, _size: Point, _rounded_px: usize) -> ClipHandle {
        // Only record shapes clip; the graph draws none.
        0
    }
}
