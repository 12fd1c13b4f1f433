//! `Clinic.responseTime`, which every caller sees: the median hours from submission to the
//! first offer over the clinic's last 365 days of offered quotes, null below three of them,
//! read in one statement for a whole page of clinics.

use medtour_tests::{Backend, Role, on_both_backends};
use serde_json::{Value, json};

use crate::dashboard_support::{A_YEAR_AND_A_DAY, BAJA, LONE_STAR, RHEIN, fixture};

const BY_SLUG: &str = "query($slug: String!) { clinic(slug: $slug) { responseTime { medianHours sampleSize } } }";

on_both_backends! {
    /// Baja (four offered quotes: an even count) and Rhein (exactly three, one of them in
    /// EUR) have a response time; Lone Star, with two, has none; every role sees the same.
    /// A year and a day later the window has emptied.
    async fn response_time_is_null_below_three_offered_quotes_and_shown_from_three(backend: Backend) {
        let f = &fixture(backend).await;
        let partner = f.app.login(Role::Partner, Some("Partner C"), None).await;
        let clinic = f.app.login(Role::Clinic, None, Some(LONE_STAR)).await;
        for token in [&partner, &f.agent('A').token, &clinic, &f.admin.token] {
            let time = |slug: &'static str| async move {
                f.app.data_as(token, BY_SLUG, json!({ "slug": slug })).await["clinic"]["responseTime"].clone()
            };
            let baja = time(BAJA).await;
            assert_eq!(baja["sampleSize"], 4, "{baja}");
            assert!((baja["medianHours"].as_f64().unwrap() - 3.0).abs() < 0.001, "(2 + 4) / 2: {baja}");
            let rhein = time(RHEIN).await;
            assert_eq!(rhein["sampleSize"], 3, "{rhein}");
            assert!((rhein["medianHours"].as_f64().unwrap() - 5.0).abs() < 0.001, "the middle of 2, 5, 6: {rhein}");
            assert_eq!(time(LONE_STAR).await, Value::Null, "two offered quotes are too few");
        }
        let exact = f.response_hours(&[1, 2, 3, 4]).await;
        let baja = f.app.data_as(&partner, BY_SLUG, json!({ "slug": BAJA })).await;
        assert_eq!(baja["clinic"]["responseTime"]["medianHours"].as_f64(), medtour::percentile::reference(&exact, 0.5));

        f.app.state.clock.advance(A_YEAR_AND_A_DAY);
        let partner = f.app.login(Role::Partner, Some("Partner C"), None).await;
        let baja = f.app.data_as(&partner, BY_SLUG, json!({ "slug": BAJA })).await;
        assert_eq!(baja["clinic"]["responseTime"], Value::Null, "quotes older than 365 days do not count");
    }
}

on_both_backends! {
    /// A page of clinics with their response times costs one statement more than without,
    /// for two clinics as for all of them.
    async fn a_page_of_response_times_is_one_statement(backend: Backend) {
        let f = &fixture(backend).await;
        let page = |first: i64, fields: &'static str| async move {
            let query = format!("query($first: Int) {{ clinics(first: $first) {{ edges {{ node {{ slug {fields} }} }} }} }}");
            let mut least = u64::MAX;
            let mut data = Value::Null;
            for _ in 0..3 {
                let before = f.app.statements();
                data = f.app.data(&query, json!({ "first": first })).await;
                least = least.min(f.app.statements() - before);
            }
            (least, data)
        };
        for first in [2, 20] {
            let (without, _) = page(first, "").await;
            let (with, data) = page(first, "responseTime { medianHours sampleSize }").await;
            assert_eq!(with, without + 1, "{first} clinics");
            let shown = data["clinics"]["edges"].as_array().unwrap().iter()
                .filter(|e| !e["node"]["responseTime"].is_null()).count();
            if first == 20 {
                assert_eq!(shown, 2, "Baja and Rhein: {data:#}");
            }
        }
    }
}
