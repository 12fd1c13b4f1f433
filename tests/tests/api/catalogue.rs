//! The catalogue queries partners call: treatments, one clinic by ID or slug, the clinic list,
//! objects by global ID, and the per-country cost table — on the demo catalogue.

use medtour::graphql::ids::Kind;
use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{
    MIGRAINE, Package, catalogue_app, clinic, clinic_row, gid, slugs, strings, the_error_code,
};

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
        assert_eq!((c["name"].as_str(), c["countryCode"].as_str(), c["city"].as_str()), (Some("Baja Regenerative Institute"), Some("MX"), Some("Tijuana")));
        assert_eq!(c["languages"], json!(["en", "es"]));
        assert_eq!(c["website"], "https://www.bajaregenerative.example");
        assert_eq!(strings(&c["doctors"], "licenseNumber"), ["8745123", "10293847"]);
        assert_eq!(c["doctors"][0]["yearsOfExperience"], 17);
        assert_eq!(strings(&c["accreditations"], "body"), ["COFEPRIS", "JCI"]);
        assert_eq!(strings(&c["accreditations"], "status"), ["VERIFIED", "VERIFIED"]);
        assert_eq!(strings(&c["certificatesOfAnalysis"], "lotNumber"), ["BRI-UC-24-0917", "BRI-UC-24-0702"], "newest first");
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
        assert_eq!(c["priceRange"], json!({ "min": { "amount": "3750.00", "currencyCode": "USD" }, "max": { "amount": "19000.00", "currencyCode": "USD" } }));
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
            packages(treatment: $t) { price { amount } treatment { slug } } priceRange(treatment: $t) { min { amount } max { amount } } } }"#;
        let knee = app.data(query, json!({ "t": "msc-knee-osteoarthritis" })).await;
        assert_eq!(knee["clinic"]["packages"], json!([{ "price": { "amount": "4800.00" }, "treatment": { "slug": "msc-knee-osteoarthritis" } }]));
        assert_eq!(knee["clinic"]["priceRange"], json!({ "min": { "amount": "4800.00" }, "max": { "amount": "4800.00" } }));
        let all = app.data(query, json!({ "t": null })).await;
        assert_eq!(all["clinic"]["priceRange"], json!({ "min": { "amount": "4800.00" }, "max": { "amount": "8800.00" } }));

        let none = app.data(r#"{ clinic(slug: "el-poblado-biomedical") { packages(treatment: "msc-knee-osteoarthritis") { id } priceRange(treatment: "msc-knee-osteoarthritis") { min { amount } } } }"#, json!({})).await;
        assert_eq!(none["clinic"], json!({ "packages": [], "priceRange": null }), "null when no package matches");
    }
}

on_both_backends! {
    /// `clinics` lists every published demo clinic, by name unless told otherwise.
    async fn clinics_lists_every_published_demo_clinic_by_name(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data("{ clinics(first: 100) { totalCount edges { node { slug name } } } }", json!({})).await;
        assert_eq!(data["clinics"]["totalCount"], PUBLISHED_DEMO_CLINICS);
        let names: Vec<String> = data["clinics"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["name"].as_str().unwrap().to_owned()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.first().map(String::as_str), Some("Antioquia Cell Therapy Center"));
        assert!(!slugs(&data["clinics"]).contains(&"biscayne-regenerative-miami".to_owned()));
    }
}

on_both_backends! {
    /// `node` and `nodes` resolve an object of every catalogue type from its ID.
    async fn node_resolves_every_catalogue_type(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data(r#"{ clinic(slug: "sukhumvit-regenerative-hospital") { id doctors { id } accreditations { id }
            certificatesOfAnalysis { id } packages { id treatment { id } } } }"#, json!({})).await;
        let c = &data["clinic"];
        let expected = [
            (c["id"].clone(), "Clinic"),
            (c["doctors"][0]["id"].clone(), "Doctor"),
            (c["accreditations"][0]["id"].clone(), "Accreditation"),
            (c["certificatesOfAnalysis"][0]["id"].clone(), "CertificateOfAnalysis"),
            (c["packages"][0]["id"].clone(), "TreatmentPackage"),
            (c["packages"][0]["treatment"]["id"].clone(), "Treatment"),
        ];
        let query = "query($id: ID!) { node(id: $id) { __typename id ... on Clinic { slug } ... on Treatment { slug } } }";
        for (id, typename) in &expected {
            let node = app.data(query, json!({ "id": id })).await;
            assert_eq!(node["node"]["__typename"], *typename, "{id}");
            assert_eq!(node["node"]["id"], *id);
        }
        let ids: Vec<&Value> = expected.iter().map(|(id, _)| id).collect();
        let missing = gid(Kind::Clinic, 999_999);
        let quote = gid(Kind::Quote, 1);
        let data = app.data("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", json!({ "ids": [ids[0], missing, ids[1], quote, ids[5]] })).await;
        let nodes = data["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 5);
        assert_eq!((&nodes[0]["id"], &nodes[1], &nodes[2]["__typename"]), (ids[0], &Value::Null, &json!("Doctor")));
        assert_eq!((&nodes[3], &nodes[4]["__typename"]), (&Value::Null, &json!("Treatment")), "in order, null where nothing is visible");
    }
}

on_both_backends! {
    /// An ID of one type given where another is expected resolves to nothing; one that is not
    /// an ID at all is bad input.
    async fn ids_are_typed_and_malformed_ones_are_bad_input(backend: Backend) {
        let app = catalogue_app(backend).await;
        let data = app.data(r#"{ clinic(slug: "spree-zellmedizin-berlin") { doctors { id } } }"#, json!({})).await;
        let doctor = data["clinic"]["doctors"][0]["id"].clone();
        let clinic_query = "query($id: ID) { clinic(id: $id) { slug } }";
        assert_eq!(app.data(clinic_query, json!({ "id": doctor })).await["clinic"], Value::Null, "a Doctor ID is no Clinic");
        assert_eq!(app.data(clinic_query, json!({ "id": gid(Kind::Clinic, 999_999) })).await["clinic"], Value::Null);

        let forge = |text: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text);
        for bad in ["", "not-an-id", "Q2xpbmljOjE=", &forge("Clinic:-1"), &forge("Clinic:abc"), &forge("Patient:1"), &forge("Clinic:99999999999"), &"A".repeat(200)] {
            for query in [clinic_query, "query($id: ID!) { node(id: $id) { id } }", "query($id: ID!) { nodes(ids: [$id]) { id } }"] {
                let body = app.graphql(query, json!({ "id": bad })).await;
                assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{query} with {bad:?}: {body}");
            }
        }
        for (vars, what) in [(json!({}), "neither id nor slug"), (json!({ "id": gid(Kind::Clinic, 1), "slug": "x" }), "both")] {
            let body = app.graphql("query($id: ID, $slug: String) { clinic(id: $id, slug: $slug) { slug } }", vars).await;
            assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what}");
        }
        let ids: Vec<String> = (1..=101).map(|i| gid(Kind::Clinic, i)).collect();
        let body = app.graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids })).await;
        assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "at most 100 IDs per call");
    }
}

on_both_backends! {
    /// The unpublished Miami clinic, and what belongs to it, cannot be reached by any path.
    async fn an_unpublished_clinic_is_invisible_to_partners(backend: Backend) {
        let app = catalogue_app(backend).await;
        let slug = "biscayne-regenerative-miami";
        let row = clinic_row(&app, slug).await;
        assert!(!row.published);
        let by_slug = app.data("query($s: String) { clinic(slug: $s) { id } }", json!({ "s": slug })).await;
        assert_eq!(by_slug["clinic"], Value::Null);
        let by_id = app.data("query($id: ID) { clinic(id: $id) { id } }", json!({ "id": gid(Kind::Clinic, row.id) })).await;
        assert_eq!(by_id["clinic"], Value::Null);
        let listed = app.data(r#"{ clinics(first: 100, filter: { search: "Biscayne" }) { totalCount edges { node { slug } } } }"#, json!({})).await;
        assert_eq!(listed["clinics"], json!({ "totalCount": 0, "edges": [] }));
        let miami = app.data(r#"{ clinics(first: 100, filter: { city: "Miami" }) { totalCount } }"#, json!({})).await;
        assert_eq!(miami["clinics"]["totalCount"], 0);

        let db = &app.state.db;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let doctor = entity::doctors::Entity::find().filter(entity::doctors::Column::ClinicId.eq(row.id)).one(db).await.unwrap().unwrap();
        let package = entity::treatment_packages::Entity::find().filter(entity::treatment_packages::Column::ClinicId.eq(row.id)).one(db).await.unwrap().unwrap();
        let certificate = entity::certificates_of_analysis::Entity::find().filter(entity::certificates_of_analysis::Column::ClinicId.eq(row.id)).one(db).await.unwrap().unwrap();
        let ids = [gid(Kind::Clinic, row.id), gid(Kind::Doctor, doctor.id), gid(Kind::TreatmentPackage, package.id), gid(Kind::CertificateOfAnalysis, certificate.id)];
        let data = app.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids })).await;
        assert_eq!(data["nodes"], json!([null, null, null, null]));
    }
}

on_both_backends! {
    /// The cost table reproduces the article's per-country ranges, ordered by country code.
    async fn the_cost_table_reproduces_the_articles_ranges(backend: Backend) {
        let app = catalogue_app(backend).await;
        let query = "query($t: String!) { costComparison(treatment: $t) { countryCode clinicCount min { amount currencyCode } max { amount currencyCode } minCellCountMillions maxCellCountMillions } }";
        let data = app.data(query, json!({ "t": MIGRAINE })).await;
        let row = |code: &str, clinics: i64, min: &str, max: &str, min_cells: i64, max_cells: i64| {
            json!({ "countryCode": code, "clinicCount": clinics,
                    "min": { "amount": min, "currencyCode": "USD" }, "max": { "amount": max, "currencyCode": "USD" },
                    "minCellCountMillions": min_cells, "maxCellCountMillions": max_cells })
        };
        assert_eq!(data["costComparison"], json!([
            row("CO", 3, "5000.00", "16000.00", 25, 250),
            row("DE", 3, "10000.00", "25000.00", 50, 250),
            row("MX", 3, "3750.00", "19000.00", 25, 250),
            row("TH", 3, "7000.00", "22000.00", 50, 250),
            row("US", 2, "8000.00", "50000.00", 25, 250),
        ]), "the unpublished Miami clinic, inactive packages and knee packages do not count");

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
        let data = app.data("query($t: String!) { costComparison(treatment: $t) { countryCode clinicCount min { amount } } }", json!({ "t": MIGRAINE })).await;
        assert_eq!(strings(&data["costComparison"], "countryCode"), ["CO", "DE", "MX", "PA", "TH", "US"]);
        assert_eq!(data["costComparison"][2], json!({ "countryCode": "MX", "clinicCount": 3, "min": { "amount": "3750.00" } }));
        assert_eq!(data["costComparison"][3], json!({ "countryCode": "PA", "clinicCount": 1, "min": { "amount": "4200.00" } }));
    }
}
