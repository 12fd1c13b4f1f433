//! Who may read a dashboard and what it refuses: ADMIN only, ranges and list arguments
//! checked (BAD_USER_INPUT naming the argument), a constant number of SQL statements however
//! many quotes there are, and the published clinics under a safety score.

use chrono::{Days, Utc};
use medtour_tests::{Backend, Role, TestApp, error_codes, on_both_backends, spawn_app};
use serde_json::{Value, json};

use crate::dashboard_support::{DASHBOARD, fixture, plus};
use crate::quotes_support::{Act, Party, clinic, done, offer, request_for, submitted};

fn range(from: &str, to: &str) -> Value {
    json!({ "range": { "from": from, "to": to } })
}

on_both_backends! {
    /// Empty, reversed, too long and out-of-bounds ranges, and list arguments out of bounds,
    /// are BAD_USER_INPUT with the argument's path.
    async fn bad_ranges_and_arguments_are_bad_user_input(backend: Backend) {
        let app = spawn_app(backend).await;
        let admin = app.login(Role::Admin, None, None).await;
        for (why, from, to, field) in [
            ("empty", "2026-03-01", "2026-03-01", json!(["range", "to"])),
            ("reversed", "2026-03-02", "2026-03-01", json!(["range", "to"])),
            ("a day over three years", "2024-02-29", "2027-03-01", json!(["range", "to"])),
            ("year 0", "0000-06-01", "0001-01-01", json!(["range", "from"])),
        ] {
            let (_, body) = app.graphql_as(Some(&admin), "query($range: DateRange!) { dashboard(range: $range) { from } }",
                range(from, to)).await;
            assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{why}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{why}: {body:#}");
        }
        let (_, body) = app.graphql_as(Some(&admin), "query($range: DateRange!) { dashboard(range: $range) { from } }",
            range("2024-02-29", "2027-02-28")).await;
        assert!(body.get("errors").is_none(), "three years to the day: {body:#}");
        let (_, body) = app.graphql_as(Some(&admin), "query($range: DateRange!) { dashboard(range: $range) { from } }",
            range("2026-13-01", "2027-01-01")).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "not a date: {body:#}");

        for (field, args) in [
            ("withinDays", "expiringAccreditations(withinDays: -1) { id }"),
            ("withinDays", "expiringAccreditations(withinDays: 3651) { id }"),
            ("threshold", "clinicsBelowSafetyScore(threshold: -1) { id }"),
            ("threshold", "clinicsBelowSafetyScore(threshold: 7) { id }"),
        ] {
            let query = format!("query($range: DateRange!) {{ dashboard(range: $range) {{ {args} }} }}");
            let (_, body) = app.graphql_as(Some(&admin), &query, range("2026-01-01", "2026-02-01")).await;
            assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{args}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], json!([field]), "{args}: {body:#}");
        }
        for args in ["expiringAccreditations(withinDays: 3650) { id }", "clinicsBelowSafetyScore(threshold: 0) { id }"] {
            let query = format!("query($range: DateRange!) {{ dashboard(range: $range) {{ {args} }} }}");
            let (_, body) = app.graphql_as(Some(&admin), &query, range("2026-01-01", "2026-02-01")).await;
            assert!(body.get("errors").is_none(), "{args}: {body:#}");
        }
    }
}

on_both_backends! {
    /// PARTNER, AGENT and CLINIC callers are refused; no token at all is unauthenticated.
    async fn only_admins_read_dashboards(backend: Backend) {
        let app = spawn_app(backend).await;
        let query = "query($range: DateRange!) { dashboard(range: $range) { funnel { submitted } } }";
        let vars = range("2026-01-01", "2026-02-01");
        for (role, partner, clinic) in [
            (Role::Partner, Some("Partner A"), None),
            (Role::Agent, Some("Partner A"), None),
            (Role::Clinic, None, Some("baja-regenerative-institute")),
        ] {
            let token = app.login(role, partner, clinic).await;
            let (_, body) = app.graphql_as(Some(&token), query, vars.clone()).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{role:?}: {body:#}");
            assert!(body["data"].is_null(), "{role:?}: {body:#}");
        }
        let (status, body) = app.graphql_as(None, query, vars).await;
        assert_eq!((status, error_codes(&body)), (401, vec!["UNAUTHENTICATED".to_owned()]), "{body:#}");
    }
}

/// The statements one run of the whole dashboard costs (least of three: the auth layer
/// re-reads its client's status now and then, which is not the dashboard's doing).
async fn statements(app: &TestApp, admin: &str, vars: &Value) -> u64 {
    let mut least = u64::MAX;
    for _ in 0..3 {
        let before = app.statements();
        app.data_as(admin, DASHBOARD, vars.clone()).await;
        least = least.min(app.statements() - before);
    }
    least
}

on_both_backends! {
    /// The whole dashboard costs the same handful of statements with 14 quotes as with 30,
    /// across more clinics and partners.
    async fn a_dashboard_costs_a_constant_number_of_statements(backend: Backend) {
        let f = fixture(backend).await;
        let vars = range(&f.d0.to_string(), &plus(f.d0, 30).to_string());
        let small = statements(&f.app, &f.admin.token, &vars).await;
        let before = f.app.data_as(&f.admin.token, DASHBOARD, vars.clone()).await;
        for (n, slug) in ["costa-pacifico-cell-clinic", "antioquia-cell-therapy-center", "isar-regenerativ-klinik-muenchen",
                          "sukhumvit-regenerative-hospital"].iter().enumerate() {
            let target = clinic(&f.app, slug).await;
            let agent = Party::new(&f.app, Role::Agent, Some(&format!("Partner {n}")), None).await;
            for k in 0..4 {
                let id = submitted(&f.app, &agent, request_for(&target.id, &format!("more-{n}-{k}"), target.packages[0].1)).await;
                done(&f.app, &f.admin, &id, Act::Review).await;
                let until = f.app.state.clock.now() + chrono::Duration::days(3);
                done(&f.app, &f.admin, &id, Act::Offer(offer(until))).await;
            }
        }
        let large = statements(&f.app, &f.admin.token, &vars).await;
        let after = f.app.data_as(&f.admin.token, DASHBOARD, vars.clone()).await;
        assert_eq!(before["dashboard"]["funnel"]["submitted"], 14);
        assert_eq!(after["dashboard"]["funnel"]["submitted"], 30, "the second count measured more quotes");
        assert_eq!(after["dashboard"]["byClinic"].as_array().unwrap().len(), 7);
        assert_eq!(after["dashboard"]["byPartner"].as_array().unwrap().len(), 6);
        assert_eq!(small, large, "statements for 14 quotes vs 30");
        assert!(large <= 15, "{large} statements for a whole dashboard");
        eprintln!("a whole dashboard: {large} statements");
    }
}

on_both_backends! {
    /// PUBLISHED clinics under the threshold, lowest score first then by name, as the
    /// catalogue scores them; unpublished ones never.
    async fn clinics_below_a_safety_score_are_the_published_ones_lowest_first(backend: Backend) {
        let app = spawn_app(backend).await;
        let admin = app.login(Role::Admin, None, None).await;
        let listed = app.data("{ clinics(first: 100) { edges { node { slug name safetyChecklist { score } } } } }", json!({})).await;
        let mut catalogue: Vec<(i64, String, String)> = listed["clinics"]["edges"].as_array().unwrap().iter()
            .map(|e| (e["node"]["safetyChecklist"]["score"].as_i64().unwrap(), e["node"]["name"].as_str().unwrap().to_owned(),
                      e["node"]["slug"].as_str().unwrap().to_owned()))
            .collect();
        catalogue.sort();
        let today = Utc::now().date_naive();
        let vars = range(&today.to_string(), &(today + Days::new(1)).to_string());
        for threshold in 0..=6 {
            let query = format!("query($range: DateRange!) {{ dashboard(range: $range) {{
                clinicsBelowSafetyScore(threshold: {threshold}) {{ slug safetyChecklist {{ score }} }} }} }}");
            let data = app.data_as(&admin, &query, vars.clone()).await;
            let got: Vec<String> = data["dashboard"]["clinicsBelowSafetyScore"].as_array().unwrap().iter()
                .map(|c| c["slug"].as_str().unwrap().to_owned()).collect();
            let expected: Vec<String> =
                catalogue.iter().filter(|(score, ..)| *score < threshold).map(|(.., slug)| slug.clone()).collect();
            assert_eq!(got, expected, "threshold {threshold}");
            assert!(!got.iter().any(|s| s == "biscayne-regenerative-miami"), "an unpublished clinic");
        }
        let below_six = catalogue.iter().filter(|(score, ..)| *score < 6).count();
        assert!(below_six > 1, "the demo catalogue has clinics to order ({below_six})");
    }
}
