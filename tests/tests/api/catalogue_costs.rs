//! `costComparison`: the article's per-country cost table, computed live from packages.

use medtour_tests::{Backend, on_both_backends};
use serde_json::json;

use crate::catalogue_fixtures::{MIGRAINE, Package, catalogue_app, clinic, strings};

on_both_backends! {
    /// The cost table reproduces the article's per-country ranges, ordered by country code.
    async fn the_cost_table_reproduces_the_articles_ranges(backend: Backend) {
        let app = catalogue_app(backend).await;
        let query = "query($t: String!) { costComparison(treatment: $t) { countryCode clinicCount
            min { amount currencyCode } max { amount currencyCode } minCellCountMillions maxCellCountMillions } }";
        let data = app.data(query, json!({ "t": MIGRAINE })).await;
        let row = |code: &str, clinics: i64, min: &str, max: &str, min_cells: i64, max_cells: i64| {
            json!({ "countryCode": code, "clinicCount": clinics,
                    "min": { "amount": min, "currencyCode": "USD" }, "max": { "amount": max, "currencyCode": "USD" },
                    "minCellCountMillions": min_cells, "maxCellCountMillions": max_cells })
        };
        assert_eq!(
            data["costComparison"],
            json!([
                row("CO", 3, "5000.00", "16000.00", 25, 250),
                row("DE", 3, "10000.00", "25000.00", 50, 250),
                row("MX", 3, "3750.00", "19000.00", 25, 250),
                row("TH", 3, "7000.00", "22000.00", 50, 250),
                row("US", 2, "8000.00", "50000.00", 25, 250),
            ]),
            "the unpublished Miami clinic, inactive packages and knee packages do not count"
        );

        let knees = app.data(query, json!({ "t": "msc-knee-osteoarthritis" })).await;
        assert_eq!(strings(&knees["costComparison"], "countryCode"), ["CO", "DE", "MX", "TH", "US"]);
        assert_eq!(knees["costComparison"][0]["min"]["amount"], "4500.00");
    }
}

on_both_backends! {
    /// The cost table is computed live: a new clinic's package shows at once, an inactive one
    /// never does.
    async fn the_cost_table_follows_packages_live(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        let panama = clinic(db, "istmo-cell-clinic", "Istmo Cell Clinic", "PA", "Panama City").await;
        Package::priced(420_000).insert(db, panama).await;
        let tijuana = clinic(db, "frontera-cell-lab", "Frontera Cell Lab", "MX", "Tijuana").await;
        Package { active: false, ..Package::priced(100_000) }.insert(db, tijuana).await;
        let data = app
            .data(
                "query($t: String!) { costComparison(treatment: $t) { countryCode clinicCount min { amount } } }",
                json!({ "t": MIGRAINE }),
            )
            .await;
        assert_eq!(strings(&data["costComparison"], "countryCode"), ["CO", "DE", "MX", "PA", "TH", "US"]);
        assert_eq!(
            data["costComparison"][2],
            json!({ "countryCode": "MX", "clinicCount": 3, "min": { "amount": "3750.00" } })
        );
        assert_eq!(
            data["costComparison"][3],
            json!({ "countryCode": "PA", "clinicCount": 1, "min": { "amount": "4200.00" } })
        );
    }
}
