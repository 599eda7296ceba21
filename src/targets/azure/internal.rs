//! Internal services (README section 1.5): App Service without a VNet cannot make an app private, so a
//! service without `ingress` denies everything but the outbound addresses of the services that call it.
//!
//! Wiring those addresses makes the callee depend on its callers in Terraform. Internal services that
//! call each other in a cycle (a strongly connected component of that graph) cannot be wired without a
//! Terraform cycle: they admit the `AppService` service tag instead, and main.tf says so.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::Stack;

/// Per internal service: the callers whose addresses it admits, and whether it is in a cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wiring {
    pub allowed_callers: BTreeMap<String, BTreeSet<String>>,
    /// Internal service → the other members of its cycle (itself when it calls itself).
    pub cycles: BTreeMap<String, BTreeSet<String>>,
}

/// Wire every internal service of `stack`.
pub fn wire(stack: &Stack) -> Wiring {
    // Edges: internal service → each calling service (jobs have no fixed address: a diagnostic elsewhere).
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for service in stack.services.values().filter(|s| s.ingress.is_none()) {
        let callers = service
            .called_by
            .iter()
            .filter(|caller| stack.services.contains_key(caller.as_str()))
            .map(String::as_str)
            .collect();
        edges.insert(service.name.as_str(), callers);
    }
    let components = strongly_connected(&edges);
    let mut wiring = Wiring::default();
    for (service, callers) in &edges {
        let component = components.get(service).cloned().unwrap_or_default();
        let in_cycle = component.len() > 1 || callers.contains(service);
        let outside: BTreeSet<String> =
            callers.iter().filter(|caller| !component.contains(*caller)).map(|c| c.to_string()).collect();
        wiring.allowed_callers.insert(service.to_string(), outside);
        if in_cycle {
            wiring.cycles.insert(service.to_string(), component.iter().map(|c| c.to_string()).collect());
        }
    }
    wiring
}

/// The strongly connected component of every node (Tarjan, iterative over sorted nodes: deterministic).
fn strongly_connected<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: BTreeMap<&'a str, BTreeSet<&'a str>>,
    }
    fn visit<'a>(node: &'a str, edges: &BTreeMap<&'a str, BTreeSet<&'a str>>, state: &mut State<'a>) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        for &next in edges.get(node).into_iter().flatten() {
            if !state.index.contains_key(next) {
                visit(next, edges, state);
                let low = state.low[next].min(state.low[node]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.index[next].min(state.low[node]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = BTreeSet::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.insert(member);
                if member == node {
                    break;
                }
            }
            for member in &component {
                state.out.insert(member, component.clone());
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: BTreeMap::new(),
    };
    for &node in edges.keys() {
        if !state.index.contains_key(node) {
            visit(node, edges, &mut state);
        }
    }
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_between_internal_services() {
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        edges.insert("a", ["b", "web"].into_iter().collect());
        edges.insert("b", ["a"].into_iter().collect());
        edges.insert("c", ["a"].into_iter().collect());
        let components = strongly_connected(&edges);
        assert_eq!(components["a"], ["a", "b"].into_iter().collect());
        assert_eq!(components["c"], ["c"].into_iter().collect());
        assert_eq!(components["web"], ["web"].into_iter().collect());
    }
}
