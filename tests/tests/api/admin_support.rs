//! Shared ground for the administration tests: a server whose callers are not rate limited
//! out of the way, the cast (ADMIN, a CLINIC of a demo clinic, a PARTNER and an AGENT), valid
//! inputs for each record, and one helper to run a mutation and read its payload.

use medtour_tests::{Backend, Role, TestApp, spawn_app_with};
use serde_json::{Value, json};

use crate::quotes_support::Party;

/// The demo clinic the CLINIC client belongs to.
pub const OWN: &str = "baja-regenerative-institute";
/// Another demo clinic.
pub const OTHER: &str = "rhein-zelltherapie-duesseldorf";

/// A server and its cast of callers.
pub struct Staff {
    pub app: TestApp,
    pub admin: Party,
    pub clinic: Party,
    pub partner: Party,
    pub agent: Party,
}

impl Staff {
    pub async fn new(backend: Backend) -> Self {
        Self::with(backend, &[]).await
    }

    /// The same cast on a server with `extra` settings.
    pub async fn with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let budget = "1000000/100000";
        let mut settings = vec![
            ("MEDTOUR_RATE_PARTNER", budget),
            ("MEDTOUR_RATE_AGENT", budget),
            ("MEDTOUR_RATE_CLINIC", budget),
            ("MEDTOUR_RATE_ADMIN", budget),
        ];
        settings.extend_from_slice(extra);
        let app = spawn_app_with(backend, &settings).await;
        let admin = Party::new(&app, Role::Admin, None, None).await;
        let clinic = Party::new(&app, Role::Clinic, None, Some(OWN)).await;
        let partner = Party::new(&app, Role::Partner, Some("Admin Test Partner"), None).await;
        let agent = Party::new(&app, Role::Agent, Some("Admin Test Partner"), None).await;
        Staff { app, admin, clinic, partner, agent }
    }

    /// Runs `query` as `who` and returns the whole body.
    pub async fn run(&self, who: &Party, query: &str, variables: Value) -> Value {
        self.app.graphql_as(Some(&who.token), query, variables).await.1
    }

    /// Runs a mutation whose single root field is aliased `r`; returns its payload, failing
    /// on GraphQL errors.
    pub async fn payload(&self, who: &Party, query: &str, variables: Value) -> Value {
        let body = self.run(who, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"]["r"].clone()
    }

    /// A mutation that must succeed: its payload.
    pub async fn done(&self, who: &Party, query: &str, variables: Value) -> Value {
        let payload = self.payload(who, query, variables).await;
        assert_eq!(payload["userErrors"], json!([]), "{payload:#}");
        payload
    }

    /// The global ID and version of a clinic, by slug, as staff see it.
    pub async fn clinic(&self, slug: &str) -> (String, i64) {
        let body = self
            .run(&self.admin, "{ adminClinics(first: 100) { edges { node { id slug version } } } }", json!({}))
            .await;
        let edges = body["data"]["adminClinics"]["edges"].as_array().cloned().unwrap_or_default();
        let found = edges.iter().find(|e| e["node"]["slug"] == slug).unwrap_or_else(|| panic!("no clinic {slug}"));
        (found["node"]["id"].as_str().unwrap().to_owned(), found["node"]["version"].as_i64().unwrap())
    }

    /// Creates a DRAFT clinic with `slug`; returns its ID.
    pub async fn draft(&self, slug: &str) -> String {
        let payload = self.done(&self.admin, CREATE_CLINIC, json!({ "input": clinic_input(slug) })).await;
        payload["clinic"]["id"].as_str().unwrap().to_owned()
    }

    /// Moves clinic `id` to `status` (reading its version first).
    pub async fn set_status(&self, id: &str, status: &str) -> Value {
        let version = self.version_of(id).await;
        self.payload(&self.admin, SET_STATUS, json!({ "id": id, "v": version, "s": status })).await
    }

    /// The current version of clinic `id`.
    pub async fn version_of(&self, id: &str) -> i64 {
        let body =
            self.run(&self.admin, "{ adminClinics(first: 100) { edges { node { id version } } } }", json!({})).await;
        body["data"]["adminClinics"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["id"] == id)
            .and_then(|e| e["node"]["version"].as_i64())
            .expect("the clinic is listed for staff")
    }

    /// Rows in the audit log.
    pub async fn audit_count(&self) -> i64 {
        let body = self.run(&self.admin, "{ auditLog { totalCount } }", json!({})).await;
        body["data"]["auditLog"]["totalCount"].as_i64().unwrap()
    }
}

pub const CREATE_CLINIC: &str = "mutation($input: ClinicInput!) { r: createClinic(input: $input) { userErrors { field message code } clinic { id slug status version name } } }";
pub const UPDATE_CLINIC: &str = "mutation($id: ID!, $v: Int!, $p: ClinicPatch!) { r: updateClinic(id: $id, version: $v, patch: $p) { userErrors { field message code } clinic { id name status version safetyChecklist { score items { key passed } } } } }";
pub const SET_STATUS: &str = "mutation($id: ID!, $v: Int!, $s: ClinicStatus!) { r: setClinicStatus(id: $id, version: $v, status: $s, reason: \"test\") { userErrors { field message code } clinic { id status version } } }";
pub const CREATE_PACKAGE: &str = "mutation($c: ID!, $input: TreatmentPackageInput!) { r: createTreatmentPackage(clinicId: $c, input: $input) { userErrors { field message code } treatmentPackage { id active version price { amount currencyCode } } } }";
pub const ARCHIVE_PACKAGE: &str = "mutation($id: ID!, $v: Int!) { r: archiveTreatmentPackage(id: $id, version: $v) { userErrors { field message code } treatmentPackage { id active version } } }";
pub const CREATE_ACCREDITATION: &str = "mutation($c: ID!, $input: AccreditationInput!) { r: createAccreditation(clinicId: $c, input: $input) { userErrors { field message code } accreditation { id status version verifiedAt } } }";
pub const UPDATE_ACCREDITATION: &str = "mutation($id: ID!, $v: Int!, $input: AccreditationInput!) { r: updateAccreditation(id: $id, version: $v, input: $input) { userErrors { field message code } accreditation { id status version verifiedAt } } }";
pub const VERIFY_ACCREDITATION: &str = "mutation($id: ID!, $v: Int!, $d: VerificationDecision!) { r: verifyAccreditation(id: $id, version: $v, decision: $d, note: \"checked with the issuer\") { userErrors { field message code } accreditation { id status version verifiedAt } } }";
pub const CREATE_CERTIFICATE: &str = "mutation($c: ID!, $input: CertificateOfAnalysisInput!) { r: createCertificateOfAnalysis(clinicId: $c, input: $input) { userErrors { field message code } certificateOfAnalysis { id status version meetsReleaseCriteria } } }";
pub const VERIFY_CERTIFICATE: &str = "mutation($id: ID!, $v: Int!, $d: VerificationDecision!) { r: verifyCertificateOfAnalysis(id: $id, version: $v, decision: $d) { userErrors { field message code } certificateOfAnalysis { id status version verifiedAt } } }";
pub const CREATE_DOCTOR: &str = "mutation($c: ID!, $input: DoctorInput!) { r: createDoctor(clinicId: $c, input: $input) { userErrors { field message code } doctor { id name licenseNumber version } } }";

/// A clinic that passes validation, with neutral texts.
pub fn clinic_input(slug: &str) -> Value {
    json!({
        "slug": slug, "name": format!("Clinic {slug}"), "countryCode": "CR", "city": "San José",
        "description": "Cell therapy after a medical review.", "website": "https://clinic.example",
        "languages": ["es", "en"],
    })
}

/// A package that passes validation, at `price` USD.
pub fn package_input(price: &str) -> Value {
    json!({
        "treatment": "msc-chronic-migraine", "name": "Standard protocol", "cellSource": "UMBILICAL_CORD_MSC",
        "cellCountMillions": 100, "administrationRoutes": ["INTRAVENOUS"], "sessions": 2, "stayDays": 5,
        "price": price, "currencyCode": "USD", "inclusions": ["hotel"],
    })
}

/// An accreditation that passes validation, numbered `number`.
pub fn accreditation_input(number: &str) -> Value {
    json!({
        "body": "JCI", "bodyName": "Joint Commission International", "certificateNumber": number,
        "issuedOn": crate::quotes_support::day(-100), "expiresOn": crate::quotes_support::day(600),
    })
}

/// A certificate that passes validation and meets release criteria, for lot `lot`.
pub fn certificate_input(lot: &str) -> Value {
    let markers: Vec<Value> = crate::catalogue_fixtures::GOOD_MARKERS
        .iter()
        .map(|(m, p)| json!({ "marker": m, "percentPositive": p }))
        .collect();
    json!({
        "lotNumber": lot, "laboratoryName": "Independent Cell Lab", "laboratoryAccreditation": "ISO/IEC 17025",
        "issuedOn": crate::quotes_support::day(-20), "cellSource": "UMBILICAL_CORD_MSC", "cellCountMillions": 100,
        "viabilityPercent": 93.5, "sterility": "PASS", "endotoxin": "PASS", "mycoplasma": "PASS", "markers": markers,
        "documentUrl": "https://lab.example/coa.pdf", "documentSha256": "a".repeat(64),
    })
}

/// The field paths of a payload's user errors, each joined by dots.
pub fn fields(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["field"]
                        .as_array()
                        .map_or(String::new(), |f| f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("."))
                })
                .collect()
        })
        .unwrap_or_default()
}
