//! The eager path answers exactly what the derived resolvers answer, for every field of every
//! plain catalogue type, without ever falling back to waiting.

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};
use chrono::{NaiveDate, TimeZone, Utc};

use super::types::{Accreditation, CertificateOfAnalysis, Doctor, MarkerResult, Treatment, TreatmentPackage};
use super::vocab::{AccreditationBody, AdministrationRoute, CellSource, TestOutcome, VerificationStatus};
use crate::graphql::eager::Eager;
use crate::graphql::eager_testing::{Strict, every_field, run, text};
use crate::graphql::scalars::{Date, DateTime, Money};

fn day(y: i32, m: u32, d: u32) -> Date {
    Date(NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date"))
}

fn doctor() -> Doctor {
    Doctor {
        id: ID::from("RG9jdG9yOjE"),
        name: "Dr. Ana Ruiz".into(),
        title: "Neurologist".into(),
        license_number: Some("MX-1234".into()),
        years_of_experience: None,
        specialties: vec!["Neurology".into(), "Headache medicine".into()],
        version: 3,
    }
}

fn accreditation() -> Accreditation {
    Accreditation {
        id: ID::from("QWNjOjE"),
        body: AccreditationBody::ALL[0],
        body_name: "Joint Commission International".into(),
        certificate_number: "JCI-42".into(),
        issued_on: Some(day(2024, 2, 29)),
        expires_on: None,
        status: VerificationStatus::ALL[1],
        verified_at: Some(DateTime(Utc.with_ymd_and_hms(2026, 3, 1, 12, 30, 0).single().expect("a valid instant"))),
        version: 1,
    }
}

fn certificate() -> CertificateOfAnalysis {
    CertificateOfAnalysis {
        id: ID::from("Q29BOjE"),
        lot_number: "LOT-7".into(),
        laboratory_name: "Lab".into(),
        laboratory_accreditation: None,
        issued_on: day(2026, 1, 5),
        cell_source: CellSource::UmbilicalCordMsc,
        cell_count_millions: 100,
        viability_percent: 93.5,
        sterility: TestOutcome::ALL[0],
        endotoxin: TestOutcome::ALL[0],
        mycoplasma: TestOutcome::ALL[1],
        markers: vec![
            MarkerResult { marker: "CD73".into(), percent_positive: 98.5 },
            MarkerResult { marker: "HLA-DR".into(), percent_positive: 0.4 },
        ],
        document_url: Some("https://lab.example/coa.pdf".into()),
        document_sha256: None,
        status: VerificationStatus::ALL[0],
        meets_release_criteria: false,
        verified_at: None,
        version: 2,
    }
}

fn package() -> TreatmentPackage {
    TreatmentPackage {
        id: ID::from("UGtnOjE"),
        name: "Migraine Standard".into(),
        treatment_id: 1,
        cell_source: CellSource::AdiposeMsc,
        cell_count_millions: 50,
        administration_routes: vec![AdministrationRoute::Intravenous, AdministrationRoute::Intrathecal],
        sessions: 2,
        stay_days: 5,
        price: Money::from_minor(375_000, "USD"),
        inclusions: vec!["hotel".into()],
        active: true,
        version: 4,
    }
}

fn treatment() -> Treatment {
    Treatment {
        id: ID::from("VHI6MQ"),
        slug: "msc-chronic-migraine".into(),
        name: "MSC therapy for chronic migraine".into(),
        condition: "Chronic migraine".into(),
        description: "Infusions".into(),
        regulatory_note: "Not FDA-approved".into(),
        version: 1,
    }
}

/// Each type three ways: derived, eager, and eager-only.
macro_rules! roots {
    ($($derived:ident, $eager:ident, $strict:ident: $ty:ty = $make:ident;)+) => {
        struct Query;

        #[Object]
        impl Query {
            $(
                async fn $derived(&self) -> $ty {
                    $make()
                }
                async fn $eager(&self) -> Eager<$ty> {
                    Eager($make())
                }
                async fn $strict(&self) -> Strict<$ty> {
                    Strict($make())
                }
            )+
        }
    };
}

roots! {
    doctor, eager_doctor, strict_doctor: Doctor = doctor;
    accreditation, eager_accreditation, strict_accreditation: Accreditation = accreditation;
    certificate, eager_certificate, strict_certificate: CertificateOfAnalysis = certificate;
    package, eager_package, strict_package: TreatmentPackage = package;
    treatment, eager_treatment, strict_treatment: Treatment = treatment;
}

type TestSchema = Schema<Query, EmptyMutation, EmptySubscription>;

fn schema() -> TestSchema {
    Schema::new(Query, EmptyMutation, EmptySubscription)
}

#[tokio::test]
async fn every_field_of_every_plain_type_is_answered_eagerly_and_as_derived() {
    let schema = schema();
    for (root, type_name) in [
        ("doctor", "Doctor"),
        ("accreditation", "Accreditation"),
        ("certificate", "CertificateOfAnalysis"),
        ("package", "TreatmentPackage"),
        ("treatment", "Treatment"),
    ] {
        let mut selection = every_field(&schema, type_name).await;
        if root == "package" {
            // A package's treatment comes from the request's batch loader, which this schema
            // has none of; the end-to-end catalogue tests read it through the server.
            selection = selection.replacen(&format!(" treatment {}", every_field(&schema, "Treatment").await), "", 1);
        }
        let query = format!(
            "{{ derived: {root} {selection} eager: eager{0}{1} {selection} strict: strict{0}{1} {selection} }}",
            &root[..1].to_uppercase(),
            &root[1..]
        );
        let answer = run(&schema, &query).await;
        let derived = text(&answer, "derived");
        assert_eq!(text(&answer, "eager"), derived, "{type_name}: same values, keys in the selection's order");
        assert_eq!(text(&answer, "strict"), derived, "{type_name}: answered without waiting");
    }
}

#[tokio::test]
async fn aliases_fragments_typename_and_repeated_fields_come_out_as_derived() {
    let schema = schema();
    let selection = r#"{
        __typename
        label: name
        price { amount }
        ... on TreatmentPackage { price { currencyCode amount } sessions }
        ...Stay
        routes: administrationRoutes
        name
        skipped: version @include(if: false)
        kept: version @skip(if: false)
    }"#;
    let query = format!(
        "{{ derived: package {selection} eager: eagerPackage {selection} strict: strictPackage {selection} }} \
         fragment Stay on TreatmentPackage {{ stayDays label: name }}"
    );
    let answer = run(&schema, &query).await;
    let derived = text(&answer, "derived");
    assert_eq!(text(&answer, "eager"), derived);
    assert_eq!(text(&answer, "strict"), derived);
    assert_eq!(
        derived,
        r#"{"__typename":"TreatmentPackage","label":"Migraine Standard","price":{"amount":"3750.00","currencyCode":"USD"},"sessions":2,"stayDays":5,"routes":["INTRAVENOUS","INTRATHECAL"],"name":"Migraine Standard","kept":4}"#
    );
}
