//! Every `ClinicFilter` field on the demo catalogue, their combination, and the bad input
//! each one refuses with BAD_USER_INPUT (never an internal error).

use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{MIGRAINE, catalogue_app, slugs, the_error_code};

const LIST: &str = "query($f: ClinicFilter) { clinics(first: 100, filter: $f) { totalCount edges { node { slug } } } }";

/// The slugs matching `filter`, sorted, after checking `totalCount` agrees.
async fn matching(app: &medtour_tests::TestApp, filter: Value) -> Vec<String> {
    let data = app.data(LIST, json!({ "f": filter })).await;
    let mut found = slugs(&data["clinics"]);
    assert_eq!(data["clinics"]["totalCount"], found.len(), "totalCount of {filter}");
    found.sort();
    found
}

fn sorted(slugs: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = slugs.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

on_both_backends! {
    /// Each filter field on its own narrows the demo catalogue to exactly the right clinics.
    async fn each_filter_field_narrows_the_list(backend: Backend) {
        let app = catalogue_app(backend).await;
        let bangkok = ["sukhumvit-regenerative-hospital", "chao-phraya-stem-cell-center", "lumphini-cell-wellness"];
        let colombia = ["antioquia-cell-therapy-center", "sabana-regenerative-bogota", "el-poblado-biomedical"];
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            (
                "country codes, any case",
                json!({ "countryCodes": ["co", "TH"] }),
                [&colombia[..], &bangkok[..]].concat(),
            ),
            ("city, case-insensitive", json!({ "city": "BANGKOK" }), bangkok.to_vec()),
            (
                "city with an accent",
                json!({ "city": "MEDELLÍN" }),
                vec!["antioquia-cell-therapy-center", "el-poblado-biomedical"],
            ),
            (
                "treatment",
                json!({ "treatment": "msc-knee-osteoarthritis" }),
                vec![
                    "caribe-biomedica-cancun",
                    "antioquia-cell-therapy-center",
                    "chao-phraya-stem-cell-center",
                    "isar-regenerativ-klinik-muenchen",
                    "pacific-coast-regenerative-san-diego",
                ],
            ),
            (
                "cell source",
                json!({ "cellSources": ["BONE_MARROW_MSC"] }),
                vec!["isar-regenerativ-klinik-muenchen", "lone-star-cell-institute"],
            ),
            (
                "several cell sources",
                json!({ "cellSources": ["BONE_MARROW_MSC", "ADIPOSE_MSC"] }),
                vec![
                    "isar-regenerativ-klinik-muenchen",
                    "lone-star-cell-institute",
                    "rhein-zelltherapie-duesseldorf",
                    "spree-zellmedizin-berlin",
                    "pacific-coast-regenerative-san-diego",
                ],
            ),
            (
                "minimum cell count",
                json!({ "minCellCountMillions": 250 }),
                vec![
                    "baja-regenerative-institute",
                    "sabana-regenerative-bogota",
                    "sukhumvit-regenerative-hospital",
                    "rhein-zelltherapie-duesseldorf",
                    "pacific-coast-regenerative-san-diego",
                ],
            ),
            (
                "maximum price at the cheapest package",
                json!({ "maxPrice": "3750.00" }),
                vec!["baja-regenerative-institute"],
            ),
            ("maximum price a cent below it", json!({ "maxPrice": "3749.99" }), vec![]),
            (
                "maximum price without decimals",
                json!({ "maxPrice": "4800" }),
                vec!["baja-regenerative-institute", "antioquia-cell-therapy-center", "caribe-biomedica-cancun"],
            ),
            (
                "accreditation body",
                json!({ "accreditationBodies": ["JCI"] }),
                vec!["baja-regenerative-institute", "sukhumvit-regenerative-hospital", "lone-star-cell-institute"],
            ),
            (
                "a claimed but unverified accreditation counts",
                json!({ "accreditationBodies": ["TEMOS"] }),
                vec!["caribe-biomedica-cancun"],
            ),
            (
                "verified only",
                json!({ "verifiedOnly": true }),
                vec![
                    "baja-regenerative-institute",
                    "costa-pacifico-cell-clinic",
                    "caribe-biomedica-cancun",
                    "antioquia-cell-therapy-center",
                    "sabana-regenerative-bogota",
                    "el-poblado-biomedical",
                    "sukhumvit-regenerative-hospital",
                    "chao-phraya-stem-cell-center",
                    "lumphini-cell-wellness",
                    "rhein-zelltherapie-duesseldorf",
                    "spree-zellmedizin-berlin",
                    "pacific-coast-regenerative-san-diego",
                ],
            ),
            ("verified only false is no filter", json!({ "verifiedOnly": false }), vec![]),
            ("search in a name, any case", json!({ "search": "ZELLMEDIZIN" }), vec!["spree-zellmedizin-berlin"]),
            ("search in a city", json!({ "search": "düsseldorf" }), vec!["rhein-zelltherapie-duesseldorf"]),
            ("search in a description", json!({ "search": "Schwabing" }), vec!["isar-regenerativ-klinik-muenchen"]),
            ("search takes % literally", json!({ "search": "100%" }), vec!["costa-pacifico-cell-clinic"]),
            ("search takes _ literally", json!({ "search": "_" }), vec![]),
            ("blank texts are no filter", json!({ "search": "  ", "city": "" }), vec![]),
        ];
        let everything = matching(&app, json!({})).await;
        assert_eq!(everything.len(), 14);
        for (what, filter, expected) in cases {
            let expected = if expected.is_empty() && (what.contains("no filter")) {
                everything.clone()
            } else {
                sorted(&expected)
            };
            assert_eq!(matching(&app, filter.clone()).await, expected, "{what}: {filter}");
        }
    }
}

on_both_backends! {
    /// A rejected or expired accreditation is not held: filtering by its body leaves the clinic out.
    async fn rejected_and_expired_accreditations_do_not_match_their_body(backend: Backend) {
        let app = catalogue_app(backend).await;
        // Rhein's TEMOS accreditation was rejected; Munich's national licence expired.
        let temos = matching(&app, json!({ "accreditationBodies": ["TEMOS"] })).await;
        assert!(!temos.contains(&"rhein-zelltherapie-duesseldorf".to_owned()), "{temos:?}");
        let national = matching(&app, json!({ "accreditationBodies": ["NATIONAL_HEALTH_AUTHORITY"] })).await;
        assert_eq!(national.len(), 8, "{national:?}");
        assert!(!national.contains(&"isar-regenerativ-klinik-muenchen".to_owned()), "{national:?}");
    }
}

on_both_backends! {
    /// Filters combine with AND, and package criteria must hold for one and the same package.
    async fn filters_combine_and_package_criteria_hold_for_one_package(backend: Backend) {
        let app = catalogue_app(backend).await;
        let combined = json!({
            "countryCodes": ["MX", "CO"], "treatment": MIGRAINE, "maxPrice": "6000.00", "verifiedOnly": true,
            "cellSources": ["UMBILICAL_CORD_MSC"], "minCellCountMillions": 25
        });
        assert_eq!(
            matching(&app, combined).await,
            sorted(&["antioquia-cell-therapy-center", "baja-regenerative-institute", "caribe-biomedica-cancun"])
        );
        let tijuana = json!({ "city": "tijuana", "search": "border", "accreditationBodies": ["JCI", "COFEPRIS"] });
        assert_eq!(matching(&app, tijuana).await, sorted(&["baja-regenerative-institute"]));

        // Antioquia's knee package costs 4500; Baja is cheaper but offers no knee package.
        let cheap_knees = json!({ "treatment": "msc-knee-osteoarthritis", "maxPrice": "4600.00" });
        assert_eq!(matching(&app, cheap_knees).await, sorted(&["antioquia-cell-therapy-center"]));
        // Every knee package is 25 or 50 million cells, although the same clinics sell
        // 100-million migraine packages.
        let big_knees = json!({ "treatment": "msc-knee-osteoarthritis", "minCellCountMillions": 100 });
        assert_eq!(matching(&app, big_knees).await, Vec::<String>::new());
        // Inactive packages do not count: Baja's only 50-million package, at 6000, is off sale.
        let inactive = json!({
            "countryCodes": ["MX"], "cellSources": ["UMBILICAL_CORD_MSC"], "minCellCountMillions": 50, "maxPrice": "6000.00"
        });
        assert_eq!(matching(&app, inactive).await, sorted(&["caribe-biomedica-cancun"]));
    }
}

on_both_backends! {
    /// Unknown slugs, malformed codes, out-of-range numbers, malformed decimals and oversized
    /// input are each a BAD_USER_INPUT error, never an internal one.
    async fn bad_input_is_refused_as_bad_user_input(backend: Backend) {
        let app = catalogue_app(backend).await;
        let long = "x".repeat(201);
        let many: Vec<String> = (0..51).map(|_| "MX".to_owned()).collect();
        let filters: Vec<(&str, Value)> = vec![
            ("unknown treatment", json!({ "treatment": "msc-baldness" })),
            ("empty treatment", json!({ "treatment": "" })),
            ("three-letter country", json!({ "countryCodes": ["MEX"] })),
            ("digit in a country code", json!({ "countryCodes": ["M1"] })),
            ("empty country code", json!({ "countryCodes": [""] })),
            ("non-ASCII country code", json!({ "countryCodes": ["É"] })),
            ("too many country codes", json!({ "countryCodes": many })),
            ("negative cell count", json!({ "minCellCountMillions": -1 })),
            ("absurd cell count", json!({ "minCellCountMillions": 1_000_000 })),
            ("cell count beyond Int", json!({ "minCellCountMillions": 3_000_000_000_i64 })),
            ("price with three decimals", json!({ "maxPrice": "12.345" })),
            ("price that is not a number", json!({ "maxPrice": "abc" })),
            ("price sent as a JSON number", json!({ "maxPrice": 12 })),
            ("price sent as a float", json!({ "maxPrice": 12.5 })),
            ("negative price", json!({ "maxPrice": "-1.00" })),
            ("price in exponent notation", json!({ "maxPrice": "1e3" })),
            ("absurd price", json!({ "maxPrice": "99999999999999999999" })),
            ("unknown cell source", json!({ "cellSources": ["PLACENTA"] })),
            ("unknown accreditation body", json!({ "accreditationBodies": ["ACME"] })),
            ("overlong city", json!({ "city": long })),
            ("overlong search", json!({ "search": long })),
            ("NUL in search", json!({ "search": "a\u{0}b" })),
            ("NUL in city", json!({ "city": "\u{0}" })),
            ("NUL in treatment", json!({ "treatment": "msc\u{0}" })),
        ];
        for (what, filter) in filters {
            let body = app.graphql(LIST, json!({ "f": filter })).await;
            assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what}: {body}");
        }
        let others: Vec<(&str, &str, Value)> = vec![
            (
                "unknown treatment in the cost table",
                "query($t: String!) { costComparison(treatment: $t) { countryCode } }",
                json!({ "t": "nope" }),
            ),
            (
                "NUL in the cost table's treatment",
                "query($t: String!) { costComparison(treatment: $t) { countryCode } }",
                json!({ "t": "\u{0}" }),
            ),
            (
                "unknown treatment on packages",
                "query($t: String) { clinic(slug: \"spree-zellmedizin-berlin\") { packages(treatment: $t) { id } } }",
                json!({ "t": "nope" }),
            ),
            (
                "unknown treatment on priceRange",
                "query($t: String) { clinic(slug: \"spree-zellmedizin-berlin\") {
                    priceRange(treatment: $t) { min { amount } } } }",
                json!({ "t": "nope" }),
            ),
            ("NUL in a slug", "query($s: String) { clinic(slug: $s) { id } }", json!({ "s": "baja\u{0}" })),
            ("overlong slug", "query($s: String) { clinic(slug: $s) { id } }", json!({ "s": "x".repeat(300) })),
        ];
        for (what, query, vars) in others {
            let body = app.graphql(query, vars).await;
            assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what}: {body}");
            assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m != "internal error"), "{what}: {body}");
        }
    }
}
