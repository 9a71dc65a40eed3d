//! What the Prometheus rules and the dashboard in `deploy/` rely on: label
//! cardinality that URLs cannot grow, histogram buckets at the SLO
//! threshold, and alerts that each carry a runbook section and unit tests.
//!
//! Its own test binary: the metrics recorder is process-wide, so no other
//! test may add series while the cardinality test counts them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use axum::http::{Method, StatusCode};
use common::{app, fixture, manifest_dir, send};
use microblog::server::ops::{prometheus, LATENCY_BUCKETS};
use serde::Deserialize;

/// The identity of every series in a Prometheus text exposition (name and
/// labels, without the value), with its value.
fn series(exposition: &str) -> BTreeMap<String, f64> {
    exposition
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (id, value) = l.rsplit_once(' ')?;
            Some((id.to_string(), value.parse().ok()?))
        })
        .collect()
}

fn total_404s(series: &BTreeMap<String, f64>) -> f64 {
    series
        .iter()
        .filter(|(id, _)| id.starts_with("http_requests_total{") && id.contains("status=\"404\""))
        .map(|(_, v)| v)
        .sum()
}

/// The request a 404 probe `i` sends: every shape of unknown URL the site
/// has (unmatched paths, unknown slugs and tags, their feeds, pages past
/// the end, server functions, static files), some with made-up methods.
fn probe(i: usize) -> (Method, String) {
    let path = match i % 8 {
        0 => format!("/no/such/page-{i}"),
        1 => format!("/posts/missing-{i}"),
        2 => format!("/tags/missing-{i}"),
        3 => format!("/tags/missing-{i}/feed.xml"),
        4 => format!("/page/{}", 1_000 + i),
        5 => format!("/pkg/missing-{i}.js"),
        6 => format!("/api/post?slug=missing-{i}"),
        _ => format!("/posts/missing-{i}/"),
    };
    let method = if i % 10 == 9 {
        // A client may send any token as a method.
        Method::from_bytes(format!("PROBE{i}").as_bytes()).expect("a valid method token")
    } else {
        Method::GET
    };
    (method, path)
}

async fn ten_thousand_distinct_404_paths_add_no_series_body() {
    let root = tempfile::tempdir().expect("tempdir");
    let app = app(&fixture("site"), root.path());
    // One round of every shape first: the first 404 of a route template
    // creates its series, which is what a label per template costs.
    for i in 0..40 {
        let (method, path) = probe(i);
        let r = send(&app, method, &path, &[]).await;
        assert!(
            r.status.is_client_error() || r.status.is_redirection(),
            "{path}: {}",
            r.status
        );
    }
    let before = series(&prometheus().render());
    let mut not_found = 0usize;
    for i in 40..10_040 {
        let (method, path) = probe(i);
        let r = send(&app, method, &path, &[]).await;
        not_found += usize::from(r.status == StatusCode::NOT_FOUND);
    }
    let after = series(&prometheus().render());
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(
        added.is_empty(),
        "10,000 distinct 404 paths added {} series, e.g. {:?}",
        added.len(),
        &added[..added.len().min(5)]
    );
    // The requests were counted (in the series that already existed).
    assert!(not_found >= 8_000, "only {not_found} answered 404");
    let counted = total_404s(&after) - total_404s(&before);
    assert!(
        (counted - not_found as f64).abs() < 0.5,
        "{not_found} 404s answered, {counted} counted"
    );
    for id in after.keys() {
        assert!(!id.contains("missing-"), "a URL became a label: {id}");
        assert!(!id.contains("PROBE"), "a method became a label: {id}");
    }
}

#[test]
fn ten_thousand_distinct_404_paths_add_no_series() {
    common::run(ten_thousand_distinct_404_paths_add_no_series_body());
}

fn rule_files() -> Vec<(String, String)> {
    let dir = manifest_dir().join("deploy/prometheus/rules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("deploy/prometheus/rules")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("rule file");
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "rule files in {}", dir.display());
    files
}

/// The latency SLO reads the cumulative bucket at its threshold; a
/// threshold between two bucket edges would make every rule silently
/// empty.
#[test]
fn latency_thresholds_are_histogram_bucket_edges() {
    let mut seen = BTreeSet::new();
    for (path, text) in rule_files() {
        for chunk in text.split("le=\"").skip(1) {
            let value = chunk.split('"').next().unwrap_or_default();
            let le: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("{path}: le=\"{value}\""));
            assert!(
                LATENCY_BUCKETS.contains(&le),
                "{path}: le=\"{value}\" is not a bucket edge of {LATENCY_BUCKETS:?}"
            );
            seen.insert(value.to_string());
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        vec!["0.1".to_string()],
        "one latency threshold"
    );
    let (_, latency) = rule_files()
        .into_iter()
        .find(|(p, _)| p.ends_with("latency.yml"))
        .expect("latency.yml");
    assert!(
        latency
            .contains("record: microblog:slo_latency:threshold_seconds\n        expr: vector(0.1)"),
        "the recorded threshold matches the le used"
    );
}

#[derive(Deserialize)]
struct RuleFile {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    alert: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// GitHub's heading anchor for the simple headings of the runbook.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_alert_has_a_runbook_section_and_unit_tests_both_ways() {
    let runbook =
        std::fs::read_to_string(manifest_dir().join("deploy/RUNBOOK.md")).expect("RUNBOOK.md");
    let anchors: BTreeSet<String> = runbook
        .lines()
        .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
        .map(anchor)
        .collect();
    let tests_dir = manifest_dir().join("deploy/prometheus/tests");
    let unit_tests: String = std::fs::read_dir(&tests_dir)
        .expect("deploy/prometheus/tests")
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let mut alerts = 0;
    for (path, text) in rule_files() {
        let file: RuleFile =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for rule in file.groups.into_iter().flat_map(|g| g.rules) {
            let Some(name) = rule.alert else { continue };
            alerts += 1;
            let severity = rule.labels.get("severity").map(String::as_str);
            assert!(
                matches!(severity, Some("page" | "ticket")),
                "{name}: severity {severity:?}"
            );
            for key in ["summary", "description", "runbook_url"] {
                assert!(
                    rule.annotations
                        .get(key)
                        .is_some_and(|v| !v.trim().is_empty()),
                    "{name}: no {key}"
                );
            }
            let url = &rule.annotations["runbook_url"];
            let (page, fragment) = url.split_once('#').unwrap_or((url, ""));
            assert!(page.ends_with("/deploy/RUNBOOK.md"), "{name}: {url}");
            assert_eq!(fragment, name.to_lowercase(), "{name}: {url}");
            assert!(
                anchors.contains(fragment),
                "{name}: deploy/RUNBOOK.md has no section #{fragment}"
            );
            let fires = format!("alertname: {name}\n        exp_alerts:\n          - exp_labels:");
            let silent = format!("alertname: {name}\n        exp_alerts: []");
            assert!(
                unit_tests.contains(&fires),
                "{name}: no promtool test where it fires"
            );
            assert!(
                unit_tests.contains(&silent),
                "{name}: no promtool test where it stays silent"
            );
        }
    }
    assert!(alerts >= 10, "{alerts} alerts");
}

fn dashboard() -> serde_json::Value {
    let path = manifest_dir().join("deploy/grafana/dashboards/microblog.json");
    let text = std::fs::read_to_string(&path).expect("dashboard JSON");
    serde_json::from_str(&text).expect("dashboard is JSON")
}

fn panels(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    for p in v["panels"].as_array().into_iter().flatten() {
        out.push(p);
        out.extend(panels(p));
    }
    out
}

/// Provisioning-ready: a stable uid, no import-time `__inputs`, every query
/// through the datasource variable; and the panels the issue asks for.
#[test]
fn dashboard_is_provisioning_ready_and_has_the_operator_panels() {
    let d = dashboard();
    assert!(d["uid"].as_str().is_some_and(|u| !u.is_empty()), "uid");
    assert!(
        d.get("__inputs").is_none(),
        "provisioned dashboards have no __inputs"
    );
    assert!(d["id"].is_null(), "id is assigned by Grafana");
    let vars: Vec<&str> = d["templating"]["list"]
        .as_array()
        .expect("templating")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(vars.contains(&"datasource"), "{vars:?}");
    let all = panels(&d);
    let mut ids = BTreeSet::new();
    let mut titles = BTreeSet::new();
    for p in &all {
        let id = p["id"].as_u64().expect("panel id");
        assert!(ids.insert(id), "panel id {id} twice");
        titles.insert(p["title"].as_str().unwrap_or_default().to_string());
        if p["type"] == "row" {
            continue;
        }
        assert_eq!(p["datasource"]["uid"], "${datasource}", "{}", p["title"]);
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{}: no query", p["title"]);
        for t in targets {
            // The job the rules use, or series the rules recorded from it.
            let expr = t["expr"].as_str().unwrap_or_default();
            assert!(
                expr.contains("job=\"microblog\"")
                    || expr.contains("microblog:")
                    || expr.contains("job:slo_"),
                "{}: query not scoped to the microblog job: {expr}",
                p["title"]
            );
        }
    }
    for wanted in [
        "Request rate by route",
        "Errors by route and status",
        "Latency quantiles by route",
        "SLO burn rate",
        "Page cache hit ratio",
        "Content age",
        "Content reload failures",
    ] {
        assert!(titles.contains(wanted), "no panel {wanted:?} in {titles:?}");
    }
}

/// The provisioning files are what Grafana expects: a file provider with an
/// absolute folder, and a Prometheus data source.
#[test]
fn grafana_provisioning_files_are_valid() {
    let base = manifest_dir().join("deploy/grafana/provisioning");
    let read = |p: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(base.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let providers = read("dashboards/microblog.yml");
    assert_eq!(providers["apiVersion"], 1);
    let provider = &providers["providers"][0];
    assert_eq!(provider["type"], "file");
    assert!(
        provider["options"]["path"]
            .as_str()
            .is_some_and(|p| Path::new(p).is_absolute()),
        "{provider}"
    );
    let sources = read("datasources/prometheus.yml");
    assert_eq!(sources["apiVersion"], 1);
    assert_eq!(sources["datasources"][0]["type"], "prometheus");
}
