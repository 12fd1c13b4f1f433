//! What the audit log keeps of each record: its fields, as the contract names them, and
//! never a secret, a hash or a ciphertext.

use entity::{
    accreditations, api_clients, certificates_of_analysis as coa, clinics, coa_markers, doctors, partners,
    treatment_packages, treatments, webhook_endpoints,
};
use serde_json::{Value, json};

/// A treatment.
pub fn treatment(t: &treatments::Model) -> Value {
    json!({
        "slug": t.slug, "name": t.name, "condition": t.condition, "description": t.description,
        "regulatoryNote": t.regulatory_note, "version": t.version,
    })
}

/// A clinic's own fields (its roll-ups are derived, not written).
pub fn clinic(c: &clinics::Model) -> Value {
    json!({
        "slug": c.slug, "name": c.name, "countryCode": c.country_code, "city": c.city,
        "description": c.description, "website": c.website, "languages": c.languages,
        "status": c.status, "version": c.version,
    })
}

/// A doctor.
pub fn doctor(d: &doctors::Model) -> Value {
    json!({
        "clinicId": d.clinic_id, "name": d.name, "title": d.title, "licenseNumber": d.license_number,
        "yearsOfExperience": d.years_of_experience, "specialties": d.specialties, "version": d.version,
    })
}

/// An accreditation with its stored verification.
pub fn accreditation(a: &accreditations::Model) -> Value {
    json!({
        "clinicId": a.clinic_id, "body": a.body, "bodyName": a.body_name,
        "certificateNumber": a.certificate_number, "issuedOn": a.issued_on, "expiresOn": a.expires_on,
        "status": a.status, "verifiedAt": a.verified_at, "verifiedBy": a.verified_by, "version": a.version,
    })
}

/// A certificate of analysis with its markers.
pub fn certificate(c: &coa::Model, markers: &[coa_markers::Model]) -> Value {
    let markers: Vec<Value> =
        markers.iter().map(|m| json!({ "marker": m.marker, "percentPositive": m.percent_positive })).collect();
    json!({
        "clinicId": c.clinic_id, "lotNumber": c.lot_number, "laboratoryName": c.laboratory_name,
        "laboratoryAccreditation": c.laboratory_accreditation, "issuedOn": c.issued_on,
        "cellSource": c.cell_source, "cellCountMillions": c.cell_count_millions,
        "viabilityPercent": c.viability_percent, "sterility": c.sterility, "endotoxin": c.endotoxin,
        "mycoplasma": c.mycoplasma, "markers": markers, "documentUrl": c.document_url,
        "documentSha256": c.document_sha256, "status": c.status, "verifiedAt": c.verified_at,
        "verifiedBy": c.verified_by, "version": c.version,
    })
}

/// A treatment package.
pub fn package(p: &treatment_packages::Model) -> Value {
    json!({
        "clinicId": p.clinic_id, "treatmentId": p.treatment_id, "name": p.name, "cellSource": p.cell_source,
        "cellCountMillions": p.cell_count_millions, "administrationRoutes": p.administration_routes,
        "sessions": p.sessions, "stayDays": p.stay_days, "priceMinor": p.price_minor,
        "currencyCode": p.currency_code, "inclusions": p.inclusions, "active": p.active, "version": p.version,
    })
}

/// An API client: never its secret hash.
pub fn client(c: &api_clients::Model) -> Value {
    json!({
        "clientId": c.client_id, "role": c.role, "partnerId": c.partner_id, "clinicId": c.clinic_id,
        "label": c.label, "createdAt": c.created_at, "revokedAt": c.revoked_at,
    })
}

/// A partner.
pub fn partner(p: &partners::Model) -> Value {
    json!({ "name": p.name, "status": p.status, "createdAt": p.created_at })
}

/// A webhook endpoint, without its signing secrets.
pub fn webhook_endpoint(e: &webhook_endpoints::Model) -> Value {
    json!({
        "url": e.url, "eventTypes": e.event_types, "active": e.active,
        "failingSince": e.failing_since, "deactivatedAt": e.deactivated_at,
    })
}
