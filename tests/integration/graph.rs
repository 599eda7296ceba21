//! `iacgen graph`: the Mermaid and DOT text of every fixture (snapshots), the SVG of every fixture
//! (committed as `fixtures/ok/<system>/graph.svg`, byte-identical on every run), one-environment
//! graphs, external egress in every format, and the command line's refusals.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use iacgen::graph::{self, Edge, EdgeKind, Graph, Node, NodeKind};
use iacgen::source::reader::Reader;

fn compilation(dir: &Path) -> iacgen::ir::Compilation {
    match iacgen::resolve_model(&Reader::Disk { root: dir.to_path_buf() }) {
        Ok(resolved) => resolved.compilation,
        Err(failure) => panic!("{} does not resolve:\n{}", dir.display(), common::render(&failure)),
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/graph", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_fixture_as_mermaid_and_dot() {
    let fixtures = common::projects(&common::repo().join("fixtures/ok"));
    assert!(fixtures.len() >= 6);
    for dir in fixtures {
        let case = common::name(&dir);
        let graph = graph::build(&compilation(&dir), &[]);
        snapshot(&format!("{case}.mermaid"), &graph::mermaid::render(&graph));
        snapshot(&format!("{case}.dot"), &graph::dot::render(&graph));
    }
}

#[test]
fn one_environment_shows_only_its_placements() {
    let dir = common::repo().join("fixtures/ok/tms");
    let graph = graph::build(&compilation(&dir), &[String::from("production")]);
    snapshot("tms-production.mermaid", &graph::mermaid::render(&graph));
    assert_eq!(graph.environments, ["production"]);
    // The production environment deploys with helm: its routes go through the Ingress only.
    assert!(graph.edges.iter().all(|edge| edge.from != "clients:clients" || edge.to == "gateway:ingress"));
}

/// The committed SVG of each fixture is what iacgen draws today, byte for byte, and drawing twice
/// gives the same bytes. `IACGEN_UPDATE_GRAPHS=1 cargo test graph::` rewrites them.
#[test]
fn every_fixture_svg_is_committed_and_deterministic() {
    let update = std::env::var_os("IACGEN_UPDATE_GRAPHS").is_some();
    let mut stale = Vec::new();
    for dir in common::projects(&common::repo().join("fixtures/ok")) {
        let compilation = compilation(&dir);
        let svg = graph::svg::render(&graph::build(&compilation, &[]));
        assert_eq!(svg, graph::svg::render(&graph::build(&compilation, &[])), "{}: not deterministic", dir.display());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>\n"));
        let path = dir.join("graph.svg");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            if update {
                std::fs::write(&path, &svg).expect("write graph.svg");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run `IACGEN_UPDATE_GRAPHS=1 cargo test graph::` and look at them): {stale:?}"
    );
}

/// A hand-built graph with a service that calls out of the platform: egress nodes and edges are
/// drawn by every renderer, so the model's `egress` field only has to add them in `graph::build`.
#[test]
fn external_egress_is_drawn_in_every_format() {
    let placements = BTreeMap::from([(String::from("development"), BTreeSet::from([String::from("compose")]))]);
    let node = |kind: NodeKind, name: &str, detail: &str| Node {
        id: graph::node_id(kind, name),
        kind,
        name: name.to_string(),
        detail: detail.to_string(),
        placements: if kind == NodeKind::External { BTreeMap::new() } else { placements.clone() },
    };
    let nodes =
        [node(NodeKind::Service, "api", "service :8080"), node(NodeKind::External, "api.stripe.com", "external :443")];
    let graph = Graph {
        project: String::from("shop"),
        environments: vec![String::from("development")],
        nodes: nodes.into_iter().map(|node| (node.id.clone(), node)).collect(),
        edges: vec![Edge {
            from: String::from("service:api"),
            to: String::from("external:api.stripe.com"),
            kind: EdgeKind::Egress,
            label: String::new(),
            environments: BTreeSet::from([String::from("development")]),
        }],
    };
    let mermaid = graph::mermaid::render(&graph);
    assert!(mermaid.contains("external_api_stripe_com>\"api.stripe.com<br/>external :443\"]"), "{mermaid}");
    assert!(mermaid.contains("service_api -.->|\"egress\"| external_api_stripe_com"), "{mermaid}");
    let dot = graph::dot::render(&graph);
    assert!(dot.contains("\"service:api\" -> \"external:api.stripe.com\" [label=\"egress\""), "{dot}");
    let svg = graph::svg::render(&graph);
    assert!(svg.contains(">api.stripe.com</text>") && svg.contains("stroke=\"#be185d\""), "{svg}");
}

fn iacgen(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

#[test]
fn graph_command_prints_each_format_and_refuses_others() {
    let dir = common::repo().join("fixtures/ok/example");
    let (code, stdout, _) = iacgen(&dir, &["graph"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("flowchart LR\n"));
    let (code, stdout, _) = iacgen(&dir, &["graph", "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("digraph \"shop\" {\n"));
    let (code, stdout, _) = iacgen(&dir, &["graph", "--format", "svg"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, std::fs::read_to_string(dir.join("graph.svg")).expect("graph.svg"));
    let (code, _, stderr) = iacgen(&dir, &["graph", "--env", "qa"]);
    let known = "development, production, production-azure, staging";
    assert_eq!((code, stderr), (2, format!("error: unknown environment `qa` (defined: {known})\n")));
    let (code, _, stderr) = iacgen(&dir, &["graph", "--format", "json"]);
    assert_eq!((code, stderr.as_str()), (2, "error: graph draws --format mermaid (the default), dot or svg\n"));
}
