//! No N+1: one page of clinics with every nested field costs the same handful of SQL
//! statements whether it holds five clinics or fifty.

use medtour_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue::CLINIC_FIELDS;
use crate::catalogue_fixtures::{
    Certificate, MIGRAINE, Package, accreditation, catalogue_app, clinic, days_from_today, doctor, refresh,
};

/// The statements one run of `query` with `first` costs, and the clinics it returned. The
/// least of three runs is taken: the auth layer re-reads its client's status at most every
/// couple of seconds, which is not the query's doing.
async fn statements_for(app: &TestApp, query: &str, first: i64) -> (u64, usize) {
    let mut least = u64::MAX;
    let mut clinics = 0;
    for _ in 0..3 {
        let before = app.statements();
        let data = app.data(query, json!({ "first": first, "t": MIGRAINE })).await;
        least = least.min(app.statements() - before);
        clinics = data["clinics"]["edges"].as_array().map_or(0, Vec::len);
    }
    (least, clinics)
}

on_both_backends! {
    /// The statement count of a page with every nested field does not grow with the page:
    /// the same for 5 clinics as for 50, and in single digits.
    async fn nested_reads_are_batched_whatever_the_page_size(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        let mut ids = Vec::new();
        for i in 0..40 {
            let id = clinic(db, &format!("batch-{i:02}"), &format!("Batch Clinic {i:02}"), "PA", "Panama City").await;
            doctor(db, id, Some("PA-9")).await;
            accreditation(db, id, "JCI", "VERIFIED", Some(days_from_today(200))).await;
            Certificate::good(&format!("BATCH-{i}")).insert(db, id).await;
            Package::priced(600_000 + i64::from(i) * 100).insert(db, id).await;
            Package { treatment: "msc-knee-osteoarthritis", ..Package::priced(300_000) }.insert(db, id).await;
            ids.push(id);
        }
        refresh(&app, &ids).await;

        let every_field = format!(
            "query($first: Int, $t: String) {{ clinics(first: $first) {{ totalCount pageInfo {{ hasNextPage endCursor }}
                edges {{ cursor node {{ {CLINIC_FIELDS}
                    migrainePackages: packages(treatment: $t) {{ id treatment {{ slug }} }}
                    migrainePrices: priceRange(treatment: $t) {{ min {{ amount }} max {{ amount }} }} }} }} }} }}"
        );
        let hot = format!(
            "query($first: Int, $t: String) {{ clinics(first: $first,
                filter: {{ treatment: $t, verifiedOnly: true, countryCodes: [\"PA\", \"MX\", \"CO\", \"TH\", \"DE\", \"US\"] }},
                orderBy: {{ field: LOWEST_PRICE }}) {{ totalCount edges {{ cursor node {{ {CLINIC_FIELDS}
                    migrainePrices: priceRange(treatment: $t) {{ min {{ amount }} }} }} }} }} }}"
        );
        let by_safety = every_field.replace(
            "clinics(first: $first)",
            "clinics(first: $first, orderBy: { field: SAFETY_SCORE, direction: DESC })",
        );
        for (what, query) in [("every field", &every_field), ("the partner hot query", &hot), ("by safety", &by_safety)]
        {
            let (small, five) = statements_for(&app, query, 5).await;
            let (large, fifty) = statements_for(&app, query, 50).await;
            assert_eq!((five, fifty), (5, 50), "{what}: 50 clinics must really be returned");
            assert_eq!(small, large, "{what}: statements for 5 clinics vs 50");
            assert!(large < 10, "{what}: {large} statements for one page");
            eprintln!("{what}: {large} statements for a page of 5 and of 50 clinics");
        }
    }
}

/// The first edge of a page holds real nested data (the batch loaders returned rows, not
/// empty lists), so the count above measures real work.
fn assert_nested_data(page: &Value) {
    let node = &page["clinics"]["edges"][0]["node"];
    for field in ["doctors", "accreditations", "certificatesOfAnalysis", "packages"] {
        assert!(node[field].as_array().is_some_and(|a| !a.is_empty()), "{field} in {node}");
    }
    assert!(node["certificatesOfAnalysis"][0]["markers"].as_array().is_some_and(|m| m.len() == 8));
    assert!(node["packages"][0]["treatment"]["slug"].is_string());
}

on_both_backends! {
    /// The batched page returns the same nested data as asking for each clinic alone.
    async fn batched_pages_return_the_same_data_as_single_lookups(backend: Backend) {
        let app = catalogue_app(backend).await;
        let page = app
            .data(&format!("{{ clinics(first: 50) {{ edges {{ node {{ {CLINIC_FIELDS} }} }} }} }}"), json!({}))
            .await;
        assert_nested_data(&page);
        for edge in page["clinics"]["edges"].as_array().unwrap() {
            let alone = app
                .data(
                    &format!("query($id: ID) {{ clinic(id: $id) {{ {CLINIC_FIELDS} }} }}"),
                    json!({ "id": edge["node"]["id"] }),
                )
                .await;
            assert_eq!(alone["clinic"], edge["node"]);
        }
    }
}

on_both_backends! {
    /// A page's nested lists, read before the page is answered, come out as the selection
    /// asks whatever its shape: through a fragment, under aliases, selected twice, and beside
    /// a field that still waits for the batch loader (`safetyChecklist`).
    async fn prefetched_lists_follow_fragments_aliases_and_waiting_fields(backend: Backend) {
        let app = catalogue_app(backend).await;
        let plain = app
            .data(
                "{ clinics(first: 20) { edges { cursor node { id
                    doctors { id name } accreditations { id status } certificatesOfAnalysis { id markers { marker } }
                    packages { id treatment { slug } } safetyChecklist { score } } } } }",
                json!({}),
            )
            .await;
        assert_nested_data_shallow(&plain);
        let shaped = app
            .data(
                "fragment Evidence on Clinic { doctors { id } accreditations { id status } }
                 { clinics(first: 20) { edges { cursor node { id ...Evidence doctors { name }
                    certificatesOfAnalysis { id markers { marker } }
                    offers: packages { id treatment { slug } } safetyChecklist { score } } } } }",
                json!({}),
            )
            .await;
        let edges = |page: &Value| page["clinics"]["edges"].as_array().cloned().unwrap_or_default();
        assert_eq!(edges(&plain).len(), edges(&shaped).len());
        for (a, b) in edges(&plain).iter().zip(edges(&shaped).iter()) {
            let (a, b) = (&a["node"], &b["node"]);
            assert_eq!(a["doctors"], b["doctors"], "doctors merged from the fragment and the field");
            assert_eq!(a["accreditations"], b["accreditations"]);
            assert_eq!(a["certificatesOfAnalysis"], b["certificatesOfAnalysis"]);
            assert_eq!(a["packages"], b["offers"], "an aliased list");
            assert_eq!(a["safetyChecklist"], b["safetyChecklist"]);
            let keys: Vec<&String> = b.as_object().map(|o| o.keys().collect()).unwrap_or_default();
            assert_eq!(
                keys,
                ["id", "doctors", "accreditations", "certificatesOfAnalysis", "offers", "safetyChecklist"],
                "response keys in selection order"
            );
        }
    }
}

/// The first edge holds doctors, accreditations, certificates and packages.
fn assert_nested_data_shallow(page: &Value) {
    let node = &page["clinics"]["edges"][0]["node"];
    for field in ["doctors", "accreditations", "certificatesOfAnalysis", "packages"] {
        assert!(node[field].as_array().is_some_and(|a| !a.is_empty()), "{field} in {node}");
    }
}
