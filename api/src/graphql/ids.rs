//! Relay global IDs: opaque, typed, and checked.
//!
//! An ID is the base64url encoding of `Type:number`. Decoding names the type expected, so a
//! Doctor's ID given where a Clinic is expected resolves to nothing rather than to the
//! clinic that happens to share its number.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The kinds of object that carry a global ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Treatment,
    Clinic,
    Doctor,
    Accreditation,
    CertificateOfAnalysis,
    TreatmentPackage,
    Quote,
    AuditRecord,
    Partner,
    ApiClient,
    WebhookEndpoint,
    WebhookDelivery,
    PatientDataAccess,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 13] = [
        Kind::Treatment,
        Kind::Clinic,
        Kind::Doctor,
        Kind::Accreditation,
        Kind::CertificateOfAnalysis,
        Kind::TreatmentPackage,
        Kind::Quote,
        Kind::AuditRecord,
        Kind::Partner,
        Kind::ApiClient,
        Kind::WebhookEndpoint,
        Kind::WebhookDelivery,
        Kind::PatientDataAccess,
    ];

    /// The GraphQL type name, which is also the ID's prefix.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Treatment => "Treatment",
            Kind::Clinic => "Clinic",
            Kind::Doctor => "Doctor",
            Kind::Accreditation => "Accreditation",
            Kind::CertificateOfAnalysis => "CertificateOfAnalysis",
            Kind::TreatmentPackage => "TreatmentPackage",
            Kind::Quote => "Quote",
            Kind::AuditRecord => "AuditRecord",
            Kind::Partner => "Partner",
            Kind::ApiClient => "ApiClient",
            Kind::WebhookEndpoint => "WebhookEndpoint",
            Kind::WebhookDelivery => "WebhookDelivery",
            Kind::PatientDataAccess => "PatientDataAccess",
        }
    }
}

/// Encodes the global ID of row `id` of `kind`.
pub fn encode(kind: Kind, id: i32) -> async_graphql::ID {
    // Built without `format!`: a page of clinics writes some five hundred IDs, and the
    // formatting machinery was most of their cost.
    let mut number = itoa::Buffer::new();
    let mut text = String::with_capacity(40);
    text.push_str(kind.name());
    text.push(':');
    text.push_str(number.format(id));
    async_graphql::ID(URL_SAFE_NO_PAD.encode(text))
}

/// Decodes any well-formed global ID into its kind and row id; `None` when malformed.
pub fn decode(id: &str) -> Option<(Kind, i32)> {
    if id.len() > 64 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (name, number) = text.split_once(':')?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name)?;
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: i32 = number.parse().ok()?;
    (row > 0).then_some((kind, row))
}

/// Decodes an ID expected to be of `kind`: `Ok(None)` when it is well formed but of another
/// kind (so it resolves to nothing), `Err` when it is not an ID at all.
pub fn decode_as(kind: Kind, id: &str) -> Result<Option<i32>, Malformed> {
    match decode(id) {
        Some((k, row)) if k == kind => Ok(Some(row)),
        Some(_) => Ok(None),
        None => Err(Malformed),
    }
}

/// The row `id` names if it is an ID of `kind`. This and [`named`] are the one policy for
/// ID arguments: a well-formed ID of another kind names nothing (`Ok(None)`), which the
/// services answer exactly like an unknown row; text that is not an ID of this API at all is
/// bad input on `field` in a query. A mutation answers every problem with its input in its
/// payload, so there such text names nothing too ([`named`]), and the caller gets the same
/// NOT_FOUND user error as for an unknown ID.
pub fn row_of(kind: Kind, id: &async_graphql::ID, field: &[&str]) -> crate::error::ServiceResult<Option<i32>> {
    decode_as(kind, id).map_err(|Malformed| crate::error::ServiceError::bad_input(field, "not a valid ID"))
}

/// The row a mutation's ID input names, if any (see [`row_of`]).
pub fn named(kind: Kind, id: &async_graphql::ID) -> Option<i32> {
    decode_as(kind, id).ok().flatten()
}

/// The text is not a global ID of this API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let id = encode(Kind::Clinic, 42);
        assert_eq!(decode(&id), Some((Kind::Clinic, 42)));
        assert_eq!(decode_as(Kind::Doctor, &id), Ok(None));
        assert_eq!(decode_as(Kind::Clinic, &id), Ok(Some(42)));
        // The longest kind with the longest number, and the text is the documented one.
        let longest = encode(Kind::CertificateOfAnalysis, i32::MAX);
        assert_eq!(longest.0, URL_SAFE_NO_PAD.encode("CertificateOfAnalysis:2147483647"));
        assert_eq!(decode(&longest), Some((Kind::CertificateOfAnalysis, i32::MAX)));
    }

    #[test]
    fn forged_and_malformed_ids_are_refused() {
        let forge = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for bad in [
            "".to_owned(),
            "not base64!".to_owned(),
            forge("Clinic"),
            forge("Clinic:"),
            forge("Clinic:-1"),
            forge("Clinic:0"),
            forge("Clinic:+5"),
            forge("Clinic:99999999999"),
            forge("Patient:1"),
            "A".repeat(100),
        ] {
            assert_eq!(decode(&bad), None, "{bad}");
        }
    }
}
