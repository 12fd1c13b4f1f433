//! Catalogue administration over HTTP with real tokens: every input problem reported with its
//! field path, versions that refuse stale writes (and a race exactly one writer wins),
//! verification and what it does to the checklist and the `verifiedOnly` filter, and the
//! derived values (folded texts, lowest price, checklist, cost table) after each kind of
//! write.

use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::admin_support::*;

on_both_backends! {
    /// Each bad field of a new clinic is reported, all at once, under its path; a taken slug
    /// is a field error found through the constraint; a refused write records nothing.
    async fn every_problem_with_a_new_clinic_is_reported_with_its_field(backend: Backend) {
        let s = Staff::new(backend).await;
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            ("bad slug", json!({ "slug": "Not A Slug" }), vec!["input.slug"]),
            ("unknown country", json!({ "countryCode": "XX" }), vec!["input.countryCode"]),
            ("lower-case country", json!({ "countryCode": "cr" }), vec!["input.countryCode"]),
            ("unknown language", json!({ "languages": ["es", "xx"] }), vec!["input.languages.1"]),
            ("language twice", json!({ "languages": ["es", "es"] }), vec!["input.languages.1"]),
            ("not a URL", json!({ "website": "javascript:alert(1)" }), vec!["input.website"]),
            ("empty name", json!({ "name": "  " }), vec!["input.name"]),
            ("control character", json!({ "city": "San\u{0}José" }), vec!["input.city"]),
            ("long description", json!({ "description": "x".repeat(10_001) }), vec!["input.description"]),
            (
                "several at once",
                json!({ "slug": "-", "countryCode": "ZZ", "website": "ftp://x" }),
                vec!["input.slug", "input.countryCode", "input.website"],
            ),
        ];
        let before = s.audit_count().await;
        for (what, change, expected) in cases {
            let mut input = clinic_input("valid-slug");
            for (k, v) in change.as_object().unwrap() {
                input[k] = v.clone();
            }
            let payload = s.payload(&s.admin, CREATE_CLINIC, json!({ "input": input })).await;
            assert_eq!(fields(&payload), expected, "{what}: {payload:#}");
            assert!(payload["userErrors"].as_array().unwrap().iter().all(|e| e["code"] == "INVALID"), "{what}");
            assert_eq!(payload["clinic"], Value::Null, "{what}");
        }
        assert_eq!(s.audit_count().await, before, "a refused write records nothing");

        s.draft("taken-slug").await;
        let payload = s.payload(&s.admin, CREATE_CLINIC, json!({ "input": clinic_input("taken-slug") })).await;
        assert_eq!(fields(&payload), ["input.slug"], "{payload:#}");
        assert_eq!(s.audit_count().await, before + 1, "only the first clinic was recorded");
    }
}

on_both_backends! {
    /// Packages, certificates and accreditations report each bad field too: prices, ranges,
    /// markers once each and within 0–100, digests, dates in order and not in the future,
    /// and a certificate number already on record.
    async fn evidence_and_package_inputs_are_checked_field_by_field(backend: Backend) {
        let s = Staff::new(backend).await;
        let clinic = s.draft("checked-clinic").await;
        let packages: Vec<(&str, Value, Vec<&str>)> = vec![
            ("zero price", json!({ "price": "0" }), vec!["input.price"]),
            ("three decimals", json!({ "price": "10.005" }), vec!["input.price"]),
            ("unknown currency", json!({ "currencyCode": "ABC" }), vec!["input.currencyCode"]),
            ("no cells", json!({ "cellCountMillions": 0 }), vec!["input.cellCountMillions"]),
            ("too many sessions", json!({ "sessions": 101 }), vec!["input.sessions"]),
            ("unknown treatment", json!({ "treatment": "knee-magic" }), vec!["input.treatment"]),
            ("no route", json!({ "administrationRoutes": [] }), vec!["input.administrationRoutes"]),
            ("both", json!({ "stayDays": -1, "inclusions": [""] }), vec!["input.stayDays", "input.inclusions.0"]),
        ];
        for (what, change, expected) in packages {
            let mut input = package_input("1000.00");
            for (k, v) in change.as_object().unwrap() {
                input[k] = v.clone();
            }
            let payload = s.payload(&s.admin, CREATE_PACKAGE, json!({ "c": clinic, "input": input })).await;
            assert_eq!(fields(&payload), expected, "{what}: {payload:#}");
        }
        let certificates: Vec<(&str, Value, Vec<&str>)> = vec![
            ("viability over 100", json!({ "viabilityPercent": 101.0 }), vec!["input.viabilityPercent"]),
            ("issued tomorrow", json!({ "issuedOn": crate::quotes_support::day(1) }), vec!["input.issuedOn"]),
            ("short digest", json!({ "documentSha256": "abc" }), vec!["input.documentSha256"]),
            (
                "marker twice and out of range",
                json!({ "markers": [{ "marker": "CD73", "percentPositive": 99.0 }, { "marker": "CD73", "percentPositive": 150.0 }] }),
                vec!["input.markers.1.marker", "input.markers.1.percentPositive"],
            ),
        ];
        for (what, change, expected) in certificates {
            let mut input = certificate_input("LOT-CHECK");
            for (k, v) in change.as_object().unwrap() {
                input[k] = v.clone();
            }
            let payload = s.payload(&s.admin, CREATE_CERTIFICATE, json!({ "c": clinic, "input": input })).await;
            assert_eq!(fields(&payload), expected, "{what}: {payload:#}");
        }
        let mut backwards = accreditation_input("JCI-BACKWARDS");
        backwards["expiresOn"] = json!(crate::quotes_support::day(-200));
        let payload = s.payload(&s.admin, CREATE_ACCREDITATION, json!({ "c": clinic, "input": backwards })).await;
        assert_eq!(fields(&payload), ["input.expiresOn"], "{payload:#}");

        s.done(&s.admin, CREATE_ACCREDITATION, json!({ "c": clinic, "input": accreditation_input("JCI-ONCE") })).await;
        let twice =
            s.payload(&s.admin, CREATE_ACCREDITATION, json!({ "c": clinic, "input": accreditation_input("JCI-ONCE") })).await;
        assert_eq!(fields(&twice), ["input.certificateNumber"], "{twice:#}");
    }
}

on_both_backends! {
    /// A stale version is a CONFLICT that changes nothing; of two updates racing with the same
    /// version, exactly one wins.
    async fn stale_versions_conflict_and_of_two_racers_exactly_one_wins(backend: Backend) {
        let s = Staff::new(backend).await;
        let id = s.draft("raced-clinic").await;
        let updated = s.done(&s.admin, UPDATE_CLINIC, json!({ "id": id, "v": 1, "p": { "name": "First Name" } })).await;
        assert_eq!(updated["clinic"]["version"], 2);
        let stale = s.payload(&s.admin, UPDATE_CLINIC, json!({ "id": id, "v": 1, "p": { "name": "Stale Name" } })).await;
        assert_eq!(stale["userErrors"][0]["code"], "CONFLICT", "{stale:#}");
        assert_eq!(fields(&stale), ["version"]);

        let race = |name: &'static str| {
            let vars = json!({ "id": id, "v": 2, "p": { "name": name } });
            s.payload(&s.admin, UPDATE_CLINIC, vars)
        };
        let (a, b) = tokio::join!(race("Racer A"), race("Racer B"));
        let winners = [&a, &b].iter().filter(|p| p["userErrors"] == json!([])).count();
        assert_eq!(winners, 1, "exactly one wins: {a:#} {b:#}");
        let loser = if a["userErrors"] == json!([]) { &b } else { &a };
        assert_eq!(loser["userErrors"][0]["code"], "CONFLICT", "{loser:#}");
        assert_eq!(s.version_of(&id).await, 3);
    }
}

const CHECKLIST: &str = "query($id: ID!) { node(id: $id) { ... on Clinic { safetyChecklist { items { key passed } } accreditations { status } } } }";

fn passed(node: &Value, key: &str) -> bool {
    node["safetyChecklist"]["items"].as_array().unwrap().iter().any(|i| i["key"] == key && i["passed"] == true)
}

on_both_backends! {
    /// Evidence arrives UNVERIFIED; verifying it passes LICENSED and lets `verifiedOnly` find
    /// the clinic; a changed value sends it back to UNVERIFIED, identical values change nothing.
    async fn verification_drives_the_checklist_and_the_verified_only_filter(backend: Backend) {
        let s = Staff::new(backend).await;
        let id = s.draft("verified-clinic").await;
        s.set_status(&id, "PUBLISHED").await;
        let created =
            s.done(&s.admin, CREATE_ACCREDITATION, json!({ "c": id, "input": accreditation_input("JCI-V-1") })).await;
        let accreditation = created["accreditation"]["id"].as_str().unwrap().to_owned();
        assert_eq!(created["accreditation"]["status"], "UNVERIFIED");
        let node = s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"].clone();
        assert!(!passed(&node, "LICENSED"), "{node:#}");
        let verified_only = "{ clinics(first: 100, filter: { verifiedOnly: true, countryCodes: [\"CR\"] }) { edges { node { id } } } }";
        assert_eq!(s.run(&s.partner, verified_only, json!({})).await["data"]["clinics"]["edges"], json!([]));

        let verified =
            s.done(&s.admin, VERIFY_ACCREDITATION, json!({ "id": accreditation, "v": 1, "d": "VERIFY" })).await;
        assert_eq!(verified["accreditation"]["status"], "VERIFIED");
        assert!(verified["accreditation"]["verifiedAt"].is_string());
        let node = s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"].clone();
        assert!(passed(&node, "LICENSED"), "{node:#}");
        let listed = s.run(&s.partner, verified_only, json!({})).await["data"]["clinics"]["edges"].clone();
        assert_eq!(listed, json!([{ "node": { "id": id } }]));

        let same = s
            .done(&s.admin, UPDATE_ACCREDITATION, json!({ "id": accreditation, "v": 2, "input": accreditation_input("JCI-V-1") }))
            .await;
        assert_eq!((same["accreditation"]["status"].clone(), same["accreditation"]["version"].clone()), (json!("VERIFIED"), json!(2)));
        let changed = s
            .done(&s.admin, UPDATE_ACCREDITATION, json!({ "id": accreditation, "v": 2, "input": accreditation_input("JCI-V-2") }))
            .await;
        assert_eq!(changed["accreditation"]["status"], "UNVERIFIED");
        assert_eq!(changed["accreditation"]["verifiedAt"], Value::Null);
        let node = s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"].clone();
        assert!(!passed(&node, "LICENSED"), "a changed accreditation waits for review again: {node:#}");

        let coa = s.done(&s.admin, CREATE_CERTIFICATE, json!({ "c": id, "input": certificate_input("LOT-V") })).await;
        let coa_id = coa["certificateOfAnalysis"]["id"].as_str().unwrap().to_owned();
        assert!(!passed(&s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"], "THIRD_PARTY_COA"));
        s.done(&s.admin, VERIFY_CERTIFICATE, json!({ "id": coa_id, "v": 1, "d": "VERIFY" })).await;
        assert!(passed(&s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"], "THIRD_PARTY_COA"));
        let rejected = s.done(&s.admin, VERIFY_CERTIFICATE, json!({ "id": coa_id, "v": 2, "d": "REJECT" })).await;
        assert_eq!(rejected["certificateOfAnalysis"]["status"], "REJECTED");
        assert!(!passed(&s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"], "THIRD_PARTY_COA"));
    }
}

on_both_backends! {
    /// Each kind of write leaves the partner view right at once: the folded search text after
    /// a rename, the claims check after a new description, the lowest price and the cost
    /// table after a package, the doctor check after a licensed doctor, and all of it undone
    /// by archiving and removal.
    async fn derived_values_follow_every_kind_of_write(backend: Backend) {
        let s = Staff::new(backend).await;
        let id = s.draft("derived-clinic").await;
        s.set_status(&id, "PUBLISHED").await;
        let version = s.version_of(&id).await;
        let renamed = s
            .done(&s.admin, UPDATE_CLINIC, json!({ "id": id, "v": version, "p": { "name": "Ñandú Zelltherapie", "description": "We cure migraine." } }))
            .await;
        assert!(!renamed["clinic"]["safetyChecklist"]["items"].as_array().unwrap().iter().any(|i| i["key"] == "REALISTIC_CLAIMS" && i["passed"] == true));
        let search = "query($q: String) { clinics(filter: { search: $q }) { edges { node { id } } } }";
        let found = s.run(&s.partner, search, json!({ "q": "ÑANDÚ" })).await;
        assert_eq!(found["data"]["clinics"]["edges"], json!([{ "node": { "id": id } }]), "{found:#}");

        let cheapest = "{ clinics(first: 1, filter: { countryCodes: [\"CR\"] }, orderBy: { field: LOWEST_PRICE }) { edges { node { id priceRange { min { amount } } } } } }";
        let costs = "{ costComparison(treatment: \"msc-chronic-migraine\") { countryCode clinicCount min { amount } } }";
        let created = s.done(&s.admin, CREATE_PACKAGE, json!({ "c": id, "input": package_input("2100.00") })).await;
        let package = created["treatmentPackage"]["id"].as_str().unwrap().to_owned();
        let page = s.run(&s.partner, cheapest, json!({})).await;
        assert_eq!(page["data"]["clinics"]["edges"][0]["node"]["priceRange"]["min"]["amount"], "2100.00", "{page:#}");
        let table = s.run(&s.partner, costs, json!({})).await["data"]["costComparison"].clone();
        let cr = table.as_array().unwrap().iter().find(|r| r["countryCode"] == "CR").cloned().expect("a Costa Rica row");
        assert_eq!(cr["min"]["amount"], "2100.00");

        let doctor = s
            .done(&s.admin, CREATE_DOCTOR, json!({ "c": id, "input": { "name": "Dr. Vega", "title": "Neurologist", "licenseNumber": "CR-1", "specialties": [] } }))
            .await;
        assert!(passed(&s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"], "DOCTOR_CREDENTIALS"));
        let doctor_id = doctor["doctor"]["id"].as_str().unwrap().to_owned();
        let removed = s
            .done(&s.admin, "mutation($id: ID!) { r: removeDoctor(id: $id, version: 1) { userErrors { field message code } doctor { id } } }", json!({ "id": doctor_id }))
            .await;
        assert_eq!(removed["doctor"]["id"], doctor_id.as_str());
        assert!(!passed(&s.run(&s.partner, CHECKLIST, json!({ "id": id })).await["data"]["node"], "DOCTOR_CREDENTIALS"));

        s.done(&s.admin, ARCHIVE_PACKAGE, json!({ "id": package, "v": 1 })).await;
        let range = "query($id: ID!) { node(id: $id) { ... on Clinic { priceRange { min { amount } } packages { id } } } }";
        let node = s.run(&s.partner, range, json!({ "id": id })).await["data"]["node"].clone();
        assert_eq!(node, json!({ "priceRange": null, "packages": [] }));
        let table = s.run(&s.partner, costs, json!({})).await["data"]["costComparison"].clone();
        assert!(!table.as_array().unwrap().iter().any(|r| r["countryCode"] == "CR"), "{table:#}");
    }
}

on_both_backends! {
    /// Staff add and rewrite a treatment (a taken slug is a field error), and doctors and
    /// packages are changed in place: a patch leaves out what it does not name, null clears a
    /// field, and each change bumps the version.
    async fn treatments_doctors_and_packages_are_created_and_updated(backend: Backend) {
        let s = Staff::new(backend).await;
        let fields_of = |slug: &str, name: &str| json!({ "slug": slug, "name": name, "condition": "Knee osteoarthritis", "description": "Cells for knees.", "regulatoryNote": "Not approved by the FDA." });
        let create = "mutation($i: TreatmentInput!) { r: createTreatment(input: $i) { userErrors { field code } treatment { id slug name version } } }";
        let update = "mutation($id: ID!, $v: Int!, $i: TreatmentInput!) { r: updateTreatment(id: $id, version: $v, input: $i) { userErrors { field code } treatment { id slug name version } } }";
        let made = s.done(&s.admin, create, json!({ "i": fields_of("msc-knee", "MSC for knees") })).await;
        let id = made["treatment"]["id"].as_str().unwrap().to_owned();
        assert_eq!(made["treatment"]["version"], 1);
        let renamed = s.done(&s.admin, update, json!({ "id": id, "v": 1, "i": fields_of("msc-knee", "MSC for knee pain") })).await;
        assert_eq!((renamed["treatment"]["name"].clone(), renamed["treatment"]["version"].clone()), (json!("MSC for knee pain"), json!(2)));
        let taken = s.payload(&s.admin, update, json!({ "id": id, "v": 2, "i": fields_of("msc-chronic-migraine", "X") })).await;
        assert_eq!(fields(&taken), ["input.slug"], "{taken:#}");
        let twice = s.payload(&s.admin, create, json!({ "i": fields_of("msc-knee", "Again") })).await;
        assert_eq!(fields(&twice), ["input.slug"], "{twice:#}");

        let clinic = s.draft("updated-records").await;
        let doctor = s
            .done(&s.admin, CREATE_DOCTOR, json!({ "c": clinic, "input": { "name": "Dr. Ruiz", "title": "Neurologist", "licenseNumber": "L-1", "yearsOfExperience": 12, "specialties": ["Neurology"] } }))
            .await;
        let doctor_id = doctor["doctor"]["id"].as_str().unwrap().to_owned();
        let patch = "mutation($id: ID!, $p: DoctorPatch!) { r: updateDoctor(id: $id, version: 1, patch: $p) { userErrors { field code } doctor { name title licenseNumber yearsOfExperience version } } }";
        let patched = s.done(&s.admin, patch, json!({ "id": doctor_id, "p": { "title": "Head of Neurology", "licenseNumber": null } })).await;
        assert_eq!(patched["doctor"], json!({ "name": "Dr. Ruiz", "title": "Head of Neurology", "licenseNumber": null, "yearsOfExperience": 12, "version": 2 }));
        let bad = s.payload(&s.admin, patch, json!({ "id": doctor_id, "p": { "yearsOfExperience": 120 } })).await;
        assert_eq!(fields(&bad), ["patch.yearsOfExperience"], "{bad:#}");

        let package = s.done(&s.admin, CREATE_PACKAGE, json!({ "c": clinic, "input": package_input("1500.00") })).await;
        let package_id = package["treatmentPackage"]["id"].as_str().unwrap().to_owned();
        let update_package = "mutation($id: ID!, $i: TreatmentPackageInput!) { r: updateTreatmentPackage(id: $id, version: 1, input: $i) { userErrors { field code } treatmentPackage { price { amount } version active } } }";
        let repriced = s.done(&s.admin, update_package, json!({ "id": package_id, "i": package_input("1750.50") })).await;
        assert_eq!(repriced["treatmentPackage"], json!({ "price": { "amount": "1750.50" }, "version": 2, "active": true }));
    }
}
