//! Clinic lifecycle as partners see it, archiving that keeps quotes readable, CLINIC
//! self-service on its own clinic only, roles and scopes on every mutation, and the audit
//! log with its before and after snapshots.

use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::admin_support::*;
use crate::quotes_support::{request, submit, submitted};

on_both_backends! {
    /// A new clinic is a DRAFT nobody outside staff sees; published, partners find it by every
    /// path; suspended it disappears again; illegal moves are refused; staff see every status.
    async fn partners_see_a_clinic_only_while_it_is_published(backend: Backend) {
        let s = Staff::new(backend).await;
        let id = s.draft("lifecycle-clinic").await;
        let paths = "query($id: ID!, $slug: String) { node(id: $id) { id } clinic(slug: $slug) { id } clinics(filter: { countryCodes: [\"CR\"] }) { totalCount } }";
        let seen = |body: Value| {
            let d = &body["data"];
            (d["node"] != Value::Null, d["clinic"] != Value::Null, d["clinics"]["totalCount"].as_i64().unwrap())
        };
        let vars = json!({ "id": id, "slug": "lifecycle-clinic" });
        assert_eq!(seen(s.run(&s.partner, paths, vars.clone()).await), (false, false, 0), "a DRAFT is hidden");

        let bad = s.set_status(&id, "SUSPENDED").await;
        assert_eq!(bad["userErrors"][0]["code"], "INVALID_TRANSITION", "{bad:#}");
        let published = s.set_status(&id, "PUBLISHED").await;
        assert_eq!(published["clinic"]["status"], "PUBLISHED", "{published:#}");
        assert_eq!(seen(s.run(&s.partner, paths, vars.clone()).await), (true, true, 1));

        assert_eq!(s.set_status(&id, "SUSPENDED").await["clinic"]["status"], "SUSPENDED");
        assert_eq!(seen(s.run(&s.partner, paths, vars.clone()).await), (false, false, 0), "a SUSPENDED clinic is hidden");
        let refused = submit(&s.app, &s.agent, request(&id, "to-suspended")).await.1;
        assert_eq!(refused["data"]["r"]["userErrors"][0]["code"], "NOT_FOUND", "{refused:#}");
        assert_eq!(s.set_status(&id, "PUBLISHED").await["clinic"]["status"], "PUBLISHED");
        assert_eq!(s.set_status(&id, "ARCHIVED").await["clinic"]["status"], "ARCHIVED");
        let again = s.set_status(&id, "PUBLISHED").await;
        assert_eq!(again["userErrors"][0]["code"], "INVALID_TRANSITION", "archived is final: {again:#}");

        let staff = "{ adminClinics(first: 100, statuses: [ARCHIVED]) { totalCount edges { node { id status } } } }";
        let listed = s.run(&s.admin, staff, json!({})).await;
        assert_eq!(listed["data"]["adminClinics"]["edges"], json!([{ "node": { "id": id, "status": "ARCHIVED" } }]), "{listed:#}");
        let all = s.run(&s.admin, "{ adminClinics(first: 100) { totalCount } }", json!({})).await;
        let public = s.run(&s.partner, "{ clinics { totalCount } }", json!({})).await;
        assert!(all["data"]["adminClinics"]["totalCount"].as_i64() > public["data"]["clinics"]["totalCount"].as_i64());
    }
}

on_both_backends! {
    /// A quote keeps its clinic and package after the package is archived and the clinic is
    /// archived; the partner catalogue no longer shows either, and no new quote can name them.
    async fn archiving_keeps_existing_quotes_readable(backend: Backend) {
        let s = Staff::new(backend).await;
        let baja = crate::quotes_support::clinic(&s.app, OWN).await;
        let (package, _) = baja.packages[0].clone();
        let mut input = request(&baja.id, "before-archive");
        input["packageId"] = json!(package);
        input["requestedCellCountMillions"] = Value::Null;
        let quote = submitted(&s.app, &s.agent, input).await;

        let version = s.run(&s.admin, "query($id: ID!) { node(id: $id) { ... on TreatmentPackage { version } } }", json!({ "id": package })).await;
        let v = version["data"]["node"]["version"].as_i64().unwrap();
        let archived = s.done(&s.admin, ARCHIVE_PACKAGE, json!({ "id": package, "v": v })).await;
        assert_eq!(archived["treatmentPackage"]["active"], false);
        let (clinic, _) = s.clinic(OWN).await;
        assert_eq!(s.set_status(&clinic, "ARCHIVED").await["clinic"]["status"], "ARCHIVED");

        let read = "query($id: ID!) { quote(id: $id) { status clinic { id status } package { id active } } }";
        let body = s.run(&s.agent, read, json!({ "id": quote })).await;
        assert_eq!(
            body["data"]["quote"],
            json!({ "status": "SUBMITTED", "clinic": { "id": clinic, "status": "ARCHIVED" }, "package": { "id": package, "active": false } }),
            "{body:#}"
        );
        assert_eq!(s.run(&s.partner, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": package })).await["data"]["node"], Value::Null);
        let refused = submit(&s.app, &s.agent, request(&baja.id, "after-archive")).await.1;
        assert_eq!(refused["data"]["r"]["userErrors"][0]["code"], "NOT_FOUND", "{refused:#}");
    }
}

on_both_backends! {
    /// A CLINIC client changes its own clinic's descriptive fields, doctors, packages and
    /// evidence (which arrives UNVERIFIED); another clinic's record answers exactly like one
    /// that does not exist; statuses and verification are not its to set.
    async fn a_clinic_client_maintains_its_own_clinic_only(backend: Backend) {
        let s = Staff::new(backend).await;
        let (own, version) = s.clinic(OWN).await;
        let (other, other_version) = s.clinic(OTHER).await;
        let mine = s.done(&s.clinic, UPDATE_CLINIC, json!({ "id": own, "v": version, "p": { "city": "Ensenada" } })).await;
        assert_eq!(mine["clinic"]["version"], version + 1);

        let foreign = s.payload(&s.clinic, UPDATE_CLINIC, json!({ "id": other, "v": other_version, "p": { "city": "Köln" } })).await;
        let ghost = medtour::graphql::ids::encode(medtour::graphql::ids::Kind::Clinic, 999_999).0;
        let missing = s.payload(&s.clinic, UPDATE_CLINIC, json!({ "id": ghost, "v": 1, "p": { "city": "Köln" } })).await;
        assert_eq!(foreign, missing, "another clinic's record answers like a missing one");
        assert_eq!(foreign["userErrors"][0]["code"], "NOT_FOUND");
        let foreign_doctor = s
            .payload(&s.clinic, CREATE_DOCTOR, json!({ "c": other, "input": { "name": "Dr. X", "title": "GP", "specialties": [] } }))
            .await;
        assert_eq!(fields(&foreign_doctor), ["clinicId"], "{foreign_doctor:#}");

        let evidence =
            s.done(&s.clinic, CREATE_ACCREDITATION, json!({ "c": own, "input": accreditation_input("COFEPRIS-SELF") })).await;
        assert_eq!(evidence["accreditation"]["status"], "UNVERIFIED");
        let accreditation = evidence["accreditation"]["id"].as_str().unwrap();
        let verify = s.run(&s.clinic, VERIFY_ACCREDITATION, json!({ "id": accreditation, "v": 1, "d": "VERIFY" })).await;
        assert_eq!(medtour_tests::error_codes(&verify), ["FORBIDDEN"], "{verify:#}");
        let status = s.run(&s.clinic, SET_STATUS, json!({ "id": own, "v": version + 1, "s": "SUSPENDED" })).await;
        assert_eq!(medtour_tests::error_codes(&status), ["FORBIDDEN"], "{status:#}");
        let package = s.done(&s.clinic, CREATE_PACKAGE, json!({ "c": own, "input": package_input("999.00") })).await;
        assert_eq!(package["treatmentPackage"]["active"], true);
    }
}

/// Every administration mutation, with variables that would pass if the caller were allowed,
/// and whether a CLINIC client may call it.
fn mutations(clinic: &str) -> Vec<(&'static str, String, Value, bool)> {
    let gid = |kind, row| medtour::graphql::ids::encode(kind, row).0;
    use medtour::graphql::ids::Kind;
    let e = "userErrors { code }";
    vec![
        (
            "createTreatment",
            format!("mutation($i: TreatmentInput!) {{ r: createTreatment(input: $i) {{ {e} }} }}"),
            json!({ "i": { "slug": "t-x", "name": "T", "condition": "C", "description": "D", "regulatoryNote": "R" } }),
            false,
        ),
        (
            "updateTreatment",
            format!(
                "mutation($i: TreatmentInput!, $id: ID!) {{ r: updateTreatment(id: $id, version: 1, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": gid(Kind::Treatment, 1), "i": { "slug": "t-x", "name": "T", "condition": "C", "description": "D", "regulatoryNote": "R" } }),
            false,
        ),
        (
            "createClinic",
            format!("mutation($i: ClinicInput!) {{ r: createClinic(input: $i) {{ {e} }} }}"),
            json!({ "i": clinic_input("role-x") }),
            false,
        ),
        (
            "updateClinic",
            format!("mutation($id: ID!) {{ r: updateClinic(id: $id, version: 1, patch: {{}}) {{ {e} }} }}"),
            json!({ "id": clinic }),
            true,
        ),
        (
            "setClinicStatus",
            format!("mutation($id: ID!) {{ r: setClinicStatus(id: $id, version: 1, status: ARCHIVED) {{ {e} }} }}"),
            json!({ "id": clinic }),
            false,
        ),
        (
            "createDoctor",
            format!(
                "mutation($id: ID!) {{ r: createDoctor(clinicId: $id, input: {{ name: \"N\", title: \"T\", specialties: [] }}) {{ {e} }} }}"
            ),
            json!({ "id": clinic }),
            true,
        ),
        (
            "updateDoctor",
            format!("mutation($id: ID!) {{ r: updateDoctor(id: $id, version: 1, patch: {{}}) {{ {e} }} }}"),
            json!({ "id": gid(Kind::Doctor, 1) }),
            true,
        ),
        (
            "removeDoctor",
            format!("mutation($id: ID!) {{ r: removeDoctor(id: $id, version: 1) {{ {e} }} }}"),
            json!({ "id": gid(Kind::Doctor, 1) }),
            true,
        ),
        (
            "createAccreditation",
            format!(
                "mutation($id: ID!, $i: AccreditationInput!) {{ r: createAccreditation(clinicId: $id, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": clinic, "i": accreditation_input("ROLE-1") }),
            true,
        ),
        (
            "updateAccreditation",
            format!(
                "mutation($id: ID!, $i: AccreditationInput!) {{ r: updateAccreditation(id: $id, version: 1, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": gid(Kind::Accreditation, 1), "i": accreditation_input("ROLE-2") }),
            true,
        ),
        (
            "verifyAccreditation",
            format!("mutation($id: ID!) {{ r: verifyAccreditation(id: $id, version: 1, decision: VERIFY) {{ {e} }} }}"),
            json!({ "id": gid(Kind::Accreditation, 1) }),
            false,
        ),
        (
            "createCertificateOfAnalysis",
            format!(
                "mutation($id: ID!, $i: CertificateOfAnalysisInput!) {{ r: createCertificateOfAnalysis(clinicId: $id, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": clinic, "i": certificate_input("ROLE-LOT") }),
            true,
        ),
        (
            "verifyCertificateOfAnalysis",
            format!(
                "mutation($id: ID!) {{ r: verifyCertificateOfAnalysis(id: $id, version: 1, decision: REJECT) {{ {e} }} }}"
            ),
            json!({ "id": gid(Kind::CertificateOfAnalysis, 1) }),
            false,
        ),
        (
            "createTreatmentPackage",
            format!(
                "mutation($id: ID!, $i: TreatmentPackageInput!) {{ r: createTreatmentPackage(clinicId: $id, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": clinic, "i": package_input("10.00") }),
            true,
        ),
        (
            "updateTreatmentPackage",
            format!(
                "mutation($id: ID!, $i: TreatmentPackageInput!) {{ r: updateTreatmentPackage(id: $id, version: 1, input: $i) {{ {e} }} }}"
            ),
            json!({ "id": gid(Kind::TreatmentPackage, 1), "i": package_input("10.00") }),
            true,
        ),
        (
            "archiveTreatmentPackage",
            format!("mutation($id: ID!) {{ r: archiveTreatmentPackage(id: $id, version: 1) {{ {e} }} }}"),
            json!({ "id": gid(Kind::TreatmentPackage, 1) }),
            true,
        ),
        (
            "createApiClient",
            format!("mutation {{ r: createApiClient(input: {{ role: ADMIN }}) {{ {e} }} }}"),
            json!({}),
            false,
        ),
        (
            "revokeApiClient",
            format!("mutation($id: ID!) {{ r: revokeApiClient(id: $id) {{ {e} }} }}"),
            json!({ "id": gid(Kind::ApiClient, 1) }),
            false,
        ),
        (
            "setPartnerStatus",
            format!("mutation($id: ID!) {{ r: setPartnerStatus(id: $id, status: SUSPENDED) {{ {e} }} }}"),
            json!({ "id": gid(Kind::Partner, 1) }),
            false,
        ),
    ]
}

on_both_backends! {
    /// PARTNER and AGENT clients are refused every administration mutation and query, and a
    /// CLINIC client every one the contract does not mark for it, with FORBIDDEN — before any
    /// write (the audit log stays empty).
    async fn every_administration_field_checks_role_and_scope(backend: Backend) {
        let s = Staff::new(backend).await;
        let (own, _) = s.clinic(OWN).await;
        for (name, query, vars, clinic_may) in mutations(&own) {
            for (who, party) in [("PARTNER", &s.partner), ("AGENT", &s.agent)] {
                let body = s.run(party, &query, vars.clone()).await;
                assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "{who} {name}: {body:#}");
            }
            let body = s.run(&s.clinic, &query, vars.clone()).await;
            if clinic_may {
                assert!(body.get("errors").is_none(), "CLINIC may call {name}: {body:#}");
            } else {
                assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "CLINIC {name}: {body:#}");
            }
        }
        for query in ["{ adminClinics { totalCount } }", "{ auditLog { totalCount } }", "{ partners { totalCount } }", "{ apiClients { totalCount } }"] {
            for party in [&s.partner, &s.agent, &s.clinic] {
                let body = s.run(party, query, json!({})).await;
                assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "{query}: {body:#}");
            }
        }
        let writes = s.audit_count().await;
        let clinic_writes = mutations(&own).iter().filter(|m| m.3).count() as i64;
        assert!(writes <= clinic_writes, "only the CLINIC's own allowed writes were recorded ({writes})");
    }
}

on_both_backends! {
    /// Each write appends one audit record with actor, role, action, entity and before/after
    /// snapshots (a creation has no before, a removal no after); the log pages newest first
    /// and filters by entity, actor and action.
    async fn the_audit_log_records_each_write_with_before_and_after(backend: Backend) {
        let s = Staff::new(backend).await;
        let id = s.draft("audited-clinic").await;
        s.done(&s.admin, UPDATE_CLINIC, json!({ "id": id, "v": 1, "p": { "name": "Audited Again" } })).await;
        s.set_status(&id, "PUBLISHED").await;
        let log = "query($f: AuditFilter, $after: String) { auditLog(first: 2, after: $after, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { actor actorRole action entityType entityId before after note } } } }";
        let page = s.run(&s.admin, log, json!({ "f": { "entityId": id } })).await["data"]["auditLog"].clone();
        assert_eq!(page["totalCount"], 3, "{page:#}");
        let actions: Vec<&Value> = page["edges"].as_array().unwrap().iter().map(|e| &e["node"]["action"]).collect();
        assert_eq!(actions, [&json!("clinic.status"), &json!("clinic.update")], "newest first");
        let status = &page["edges"][0]["node"];
        assert_eq!((status["before"]["status"].clone(), status["after"]["status"].clone()), (json!("DRAFT"), json!("PUBLISHED")));
        assert_eq!(status["note"], "test");
        assert_eq!(status["actor"], s.admin.client_id.as_str());
        assert_eq!((status["actorRole"].clone(), status["entityType"].clone()), (json!("ADMIN"), json!("Clinic")));
        let update = &page["edges"][1]["node"];
        assert_eq!((update["before"]["name"].clone(), update["after"]["name"].clone()), (json!("Clinic audited-clinic"), json!("Audited Again")));
        let next = s
            .run(&s.admin, log, json!({ "f": { "entityId": id }, "after": page["pageInfo"]["endCursor"] }))
            .await["data"]["auditLog"].clone();
        assert_eq!(next["edges"][0]["node"]["action"], "clinic.create");
        assert_eq!(next["edges"][0]["node"]["before"], Value::Null);
        assert_eq!(next["pageInfo"]["hasNextPage"], false);

        let by_action = s.run(&s.admin, log, json!({ "f": { "actions": ["clinic.create"], "actor": s.admin.client_id } })).await;
        assert_eq!(by_action["data"]["auditLog"]["totalCount"], 1, "{by_action:#}");
    }
}

on_both_backends! {
    /// Each kind of write appends exactly one audit record, naming its action and entity and
    /// holding the record as it became; a refused write appends none.
    async fn every_kind_of_write_appends_one_audit_record(backend: Backend) {
        let s = Staff::new(backend).await;
        let latest = "{ auditLog(first: 1) { totalCount edges { node { action actorRole entityType entityId before after } } } }";
        let mut count = s.audit_count().await;
        // The latest record: its action, entity type and ID, and whether it holds a `before`.
        let mut expect = |s: &Staff, body: Value, action: &str, entity: &str, id: &str, has_before: bool| {
            count += 1;
            let log = &body["data"]["auditLog"];
            assert_eq!(log["totalCount"], count, "one record per write ({action}): {body:#}");
            let node = &log["edges"][0]["node"];
            assert_eq!(node["action"], action, "{body:#}");
            assert_eq!(node["entityType"], entity, "{body:#}");
            assert_eq!(node["entityId"], id, "{body:#}");
            assert_eq!(node["actorRole"], "ADMIN");
            // A removal leaves only what was removed; every other write, what the record became.
            assert_eq!(node["after"].is_object(), !action.ends_with(".remove"), "{action}: {body:#}");
            assert_eq!(node["before"].is_object(), has_before, "{action}: {body:#}");
            let _ = s;
        };

        let clinic = s.draft("audit-every-write").await;
        expect(&s, s.run(&s.admin, latest, json!({})).await, "clinic.create", "Clinic", &clinic, false);

        let doctor = s
            .done(&s.admin, CREATE_DOCTOR, json!({ "c": clinic, "input": { "name": "Dr. Audit", "title": "Neurologist", "licenseNumber": "CR-9", "specialties": [] } }))
            .await["doctor"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(&s, s.run(&s.admin, latest, json!({})).await, "doctor.create", "Doctor", &doctor, false);
        s.done(&s.admin, "mutation($id: ID!) { r: removeDoctor(id: $id, version: 1) { userErrors { field message code } doctor { id } } }", json!({ "id": doctor })).await;
        expect(&s, s.run(&s.admin, latest, json!({})).await, "doctor.remove", "Doctor", &doctor, true);

        let accreditation = s
            .done(&s.admin, CREATE_ACCREDITATION, json!({ "c": clinic, "input": accreditation_input("AUD-1") }))
            .await["accreditation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(&s, s.run(&s.admin, latest, json!({})).await, "accreditation.create", "Accreditation", &accreditation, false);
        s.done(&s.admin, VERIFY_ACCREDITATION, json!({ "id": accreditation, "v": 1, "d": "VERIFY" })).await;
        expect(&s, s.run(&s.admin, latest, json!({})).await, "accreditation.verify", "Accreditation", &accreditation, true);

        let certificate = s
            .done(&s.admin, CREATE_CERTIFICATE, json!({ "c": clinic, "input": certificate_input("AUD-LOT") }))
            .await["certificateOfAnalysis"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(&s, s.run(&s.admin, latest, json!({})).await, "certificateOfAnalysis.create", "CertificateOfAnalysis", &certificate, false);
        s.done(&s.admin, VERIFY_CERTIFICATE, json!({ "id": certificate, "v": 1, "d": "REJECT" })).await;
        expect(&s, s.run(&s.admin, latest, json!({})).await, "certificateOfAnalysis.verify", "CertificateOfAnalysis", &certificate, true);

        let package = s
            .done(&s.admin, CREATE_PACKAGE, json!({ "c": clinic, "input": package_input("4100.00") }))
            .await["treatmentPackage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(&s, s.run(&s.admin, latest, json!({})).await, "treatmentPackage.create", "TreatmentPackage", &package, false);
        s.done(&s.admin, ARCHIVE_PACKAGE, json!({ "id": package, "v": 1 })).await;
        let archived = s.run(&s.admin, latest, json!({})).await;
        let action = archived["data"]["auditLog"]["edges"][0]["node"]["action"].as_str().unwrap_or_default().to_owned();
        assert!(action.starts_with("treatmentPackage."), "{archived:#}");
        expect(&s, archived, &action, "TreatmentPackage", &package, true);

        assert_eq!(s.set_status(&clinic, "PUBLISHED").await["userErrors"], json!([]));
        expect(&s, s.run(&s.admin, latest, json!({})).await, "clinic.status", "Clinic", &clinic, true);

        // A stale version is refused and leaves no record.
        let stale = s.payload(&s.admin, VERIFY_ACCREDITATION, json!({ "id": accreditation, "v": 1, "d": "REJECT" })).await;
        assert_eq!(stale["userErrors"][0]["code"], "CONFLICT", "{stale:#}");
        assert_eq!(s.audit_count().await, count, "a refused write appends nothing");
    }
}
