//! The catalogue queries partners call most: treatments, one clinic by ID or slug with every
//! nested field, and the clinic list — on the demo catalogue. Siblings: `catalogue_ids`
//! (global IDs and visibility), `catalogue_costs` (the cost table), `catalogue_filters`,
//! `catalogue_paging`, `catalogue_checklist`, `catalogue_built` and `catalogue_batching`.

use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{MIGRAINE, catalogue_app, slugs, strings};

/// Every field of a clinic and of everything nested under it.
pub const CLINIC_FIELDS: &str = r#"
    id slug name countryCode city description website languages
    doctors { id name title licenseNumber yearsOfExperience specialties }
    accreditations { id body bodyName certificateNumber issuedOn expiresOn status }
    certificatesOfAnalysis {
        id lotNumber laboratoryName laboratoryAccreditation issuedOn cellSource cellCountMillions
        viabilityPercent sterility endotoxin mycoplasma markers { marker percentPositive }
        documentUrl documentSha256 status meetsReleaseCriteria
    }
    packages {
        id name cellSource cellCountMillions administrationRoutes sessions stayDays
        price { amount currencyCode } inclusions
        treatment { id slug name condition description regulatoryNote }
    }
    priceRange { min { amount currencyCode } max { amount currencyCode } }
    safetyChecklist { score items { key passed detail } }
"#;

const PUBLISHED_DEMO_CLINICS: usize = 14;

on_both_backends! {
    /// `treatments` lists both demo treatments, by name, with every field filled in.
    async fn treatments_lists_the_demo_treatments_by_name(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data("{ treatments { id slug name condition description regulatoryNote } }", json!({})).await;
        assert_eq!(strings(&data["treatments"], "slug"), ["msc-chronic-migraine", "msc-knee-osteoarthritis"]);
        let migraine = &data["treatments"][0];
        assert_eq!(migraine["condition"], "Chronic migraine");
        assert!(migraine["regulatoryNote"].as_str().is_some_and(|n| n.contains("FDA")), "{migraine}");
        assert!(migraine["id"].as_str().is_some_and(|id| !id.contains("Treatment")), "IDs are opaque");
    }
}

on_both_backends! {
    /// A clinic looked up by slug shows every field from its records; by ID it is the same.
    async fn a_clinic_is_found_by_slug_and_by_id_with_every_field(backend: Backend) {
        let app = catalogue_app(backend).await;
        let query = format!("query($slug: String, $id: ID) {{ clinic(slug: $slug, id: $id) {{ {CLINIC_FIELDS} }} }}");
        let data = app.data(&query, json!({ "slug": "baja-regenerative-institute" })).await;
        let c = &data["clinic"];
        assert_eq!(
            (c["name"].as_str(), c["countryCode"].as_str(), c["city"].as_str()),
            (Some("Baja Regenerative Institute"), Some("MX"), Some("Tijuana"))
        );
        assert_eq!(c["languages"], json!(["en", "es"]));
        assert_eq!(c["website"], "https://www.bajaregenerative.example");
        assert_eq!(strings(&c["doctors"], "licenseNumber"), ["8745123", "10293847"]);
        assert_eq!(c["doctors"][0]["yearsOfExperience"], 17);
        assert_eq!(strings(&c["accreditations"], "body"), ["COFEPRIS", "JCI"]);
        assert_eq!(strings(&c["accreditations"], "status"), ["VERIFIED", "VERIFIED"]);
        assert_eq!(
            strings(&c["certificatesOfAnalysis"], "lotNumber"),
            ["BRI-UC-24-0917", "BRI-UC-24-0702"],
            "newest first"
        );
        let coa = &c["certificatesOfAnalysis"][0];
        assert_eq!((coa["viabilityPercent"].as_f64(), coa["sterility"].as_str()), (Some(94.2), Some("PASS")));
        assert_eq!(coa["markers"][0], json!({ "marker": "CD73", "percentPositive": 98.6 }));
        assert_eq!(coa["markers"].as_array().map(Vec::len), Some(8));
        assert_eq!(coa["meetsReleaseCriteria"], true);
        // Active packages only (the 2023 price list is inactive), cheapest first.
        let prices: Vec<&Value> = c["packages"].as_array().unwrap().iter().map(|p| &p["price"]["amount"]).collect();
        assert_eq!(prices, [&json!("3750.00"), &json!("9500.00"), &json!("19000.00")]);
        let advanced = &c["packages"][2];
        assert_eq!(advanced["administrationRoutes"], json!(["INTRAVENOUS", "INTRANASAL"]));
        assert_eq!((advanced["cellCountMillions"].as_i64(), advanced["sessions"].as_i64()), (Some(250), Some(2)));
        assert_eq!(advanced["treatment"]["slug"], MIGRAINE);
        assert_eq!(
            c["priceRange"],
            json!({
                "min": { "amount": "3750.00", "currencyCode": "USD" },
                "max": { "amount": "19000.00", "currencyCode": "USD" }
            })
        );
        assert_eq!(c["safetyChecklist"]["score"], 6);

        let by_id = app.data(&query, json!({ "id": c["id"] })).await;
        assert_eq!(by_id["clinic"], data["clinic"]);
    }
}

on_both_backends! {
    /// `packages` and `priceRange` narrow to one treatment when given its slug.
    async fn packages_and_price_range_narrow_to_a_treatment(backend: Backend) {
        let app = catalogue_app(backend).await;
        let query = r#"query($t: String) { clinic(slug: "caribe-biomedica-cancun") {
            packages(treatment: $t) { price { amount } treatment { slug } }
            priceRange(treatment: $t) { min { amount } max { amount } } } }"#;
        let knee = app.data(query, json!({ "t": "msc-knee-osteoarthritis" })).await;
        assert_eq!(
            knee["clinic"]["packages"],
            json!([{ "price": { "amount": "4800.00" }, "treatment": { "slug": "msc-knee-osteoarthritis" } }])
        );
        assert_eq!(
            knee["clinic"]["priceRange"],
            json!({ "min": { "amount": "4800.00" }, "max": { "amount": "4800.00" } })
        );
        let all = app.data(query, json!({ "t": null })).await;
        assert_eq!(
            all["clinic"]["priceRange"],
            json!({ "min": { "amount": "4800.00" }, "max": { "amount": "8800.00" } })
        );

        let knee = json!({ "t": "msc-knee-osteoarthritis" });
        let none = app
            .data(
                r#"query($t: String) { clinic(slug: "el-poblado-biomedical") {
                    packages(treatment: $t) { id } priceRange(treatment: $t) { min { amount } } } }"#,
                knee,
            )
            .await;
        assert_eq!(none["clinic"], json!({ "packages": [], "priceRange": null }), "null when no package matches");
    }
}

on_both_backends! {
    /// `clinics` lists every published demo clinic, by name unless told otherwise.
    async fn clinics_lists_every_published_demo_clinic_by_name(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data("{ clinics(first: 100) { totalCount edges { node { slug name } } } }", json!({})).await;
        assert_eq!(data["clinics"]["totalCount"], PUBLISHED_DEMO_CLINICS);
        let names: Vec<String> = data["clinics"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.first().map(String::as_str), Some("Antioquia Cell Therapy Center"));
        assert!(!slugs(&data["clinics"]).contains(&"biscayne-regenerative-miami".to_owned()));
    }
}

on_both_backends! {
    /// Nested evidence and packages answer aliases, fragments (on the type and on `Node`),
    /// `__typename` and fields selected twice exactly as the selection asks, in its order.
    async fn nested_objects_follow_aliases_fragments_and_the_selection_order(backend: Backend) {
        let app = catalogue_app(backend).await;
        let query = r#"{ clinic(slug: "baja-regenerative-institute") {
            doctors { __typename who: name ... on Node { id } name }
            accreditations { ...Acc status }
            certificatesOfAnalysis { markers { marker } lot: lotNumber markers { percentPositive } }
            packages { price { amount } ... on TreatmentPackage { price { currencyCode } }
                       treatment { __typename slug } slug: name }
        } }
        fragment Acc on Accreditation { body status }"#;
        let c = app.data(query, json!({})).await["clinic"].clone();
        let doctor = &c["doctors"][0];
        let keys: Vec<&String> = doctor.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["__typename", "who", "id", "name"]);
        assert_eq!(doctor["__typename"], "Doctor");
        assert_eq!(doctor["who"], doctor["name"]);
        assert!(doctor["id"].as_str().is_some_and(|id| !id.is_empty()));
        assert_eq!(c["accreditations"][0], json!({ "body": "COFEPRIS", "status": "VERIFIED" }));
        let coa = &c["certificatesOfAnalysis"][0];
        assert_eq!(coa["lot"], "BRI-UC-24-0917");
        assert_eq!(coa["markers"][0], json!({ "marker": "CD73", "percentPositive": 98.6 }), "both selections merged");
        let package = &c["packages"][0];
        assert_eq!(package["price"], json!({ "amount": "3750.00", "currencyCode": "USD" }));
        assert_eq!(package["treatment"], json!({ "__typename": "Treatment", "slug": MIGRAINE }));
        let keys: Vec<&String> = package.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["price", "treatment", "slug"]);
    }
}
