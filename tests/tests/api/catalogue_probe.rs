use medtour_tests::Backend;
use serde_json::json;
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn probe_latency() {
    let app = crate::catalogue_fixtures::catalogue_app(Backend::Sqlite).await;
    let args = r#"first: 20, filter: { treatment: "msc-chronic-migraine", countryCodes: ["MX", "CO", "TH"], verifiedOnly: true }, orderBy: { field: LOWEST_PRICE }"#;
    let variants = [
        ("trivial", "{ treatments { slug } }".to_owned()),
        ("ids only", format!("{{ clinics({args}) {{ edges {{ node {{ id }} }} }} }}")),
        ("no filter ids", "{ clinics(first: 20) { edges { node { id } } } }".to_owned()),
        ("doctors", format!("{{ clinics({args}) {{ edges {{ node {{ id doctors {{ id }} }} }} }} }}")),
        ("packages", format!("{{ clinics({args}) {{ edges {{ node {{ id packages {{ id }} }} }} }} }}")),
        ("packages+treatment", format!("{{ clinics({args}) {{ edges {{ node {{ id packages {{ id treatment {{ slug }} }} }} }} }} }}")),
        ("certs", format!("{{ clinics({args}) {{ edges {{ node {{ id certificatesOfAnalysis {{ id markers {{ marker }} }} }} }} }} }}")),
        ("checklist", format!("{{ clinics({args}) {{ edges {{ node {{ id safetyChecklist {{ score }} }} }} }} }}")),
        ("everything", format!("{{ clinics({args}) {{ edges {{ node {{ {} }} }} }} }}", crate::catalogue::CLINIC_FIELDS)),
    ];
    for (name, q) in variants {
        for _ in 0..5 { app.data(&q, json!({})).await; }
        let mut t = vec![];
        for _ in 0..30 { let s = Instant::now(); app.data(&q, json!({})).await; t.push(s.elapsed().as_secs_f64()*1000.0); }
        t.sort_by(f64::total_cmp);
        eprintln!("{name:20} {:.2} ms", t[15]);
    }
}
