//! The partner read path decodes its hot relations by column position
//! (`medtour::db::positional`); each decoder must give exactly what sea-orm's derived one
//! gives, NULLs included, on both backends. A decoder that read its columns out of order
//! fails here (a type mismatch, or a value in the wrong field).

use entity::{accreditations, certificates_of_analysis as coa, clinics, doctors, treatment_packages};
use medtour::db::positional::{ByPosition, Positional};
use medtour_tests::{Backend, on_both_backends};
use sea_orm::{DatabaseConnection, EntityTrait, FromQueryResult, QueryOrder, sea_query::IntoIden};

use crate::catalogue_fixtures::{catalogue_app, clinic_with, doctor};

/// Every row of `E`, decoded both ways, in id order; they must be equal and not empty.
async fn same_both_ways<E>(db: &DatabaseConnection, id: E::Column) -> Vec<E::Model>
where
    E: EntityTrait,
    E::Model: Positional + FromQueryResult + PartialEq + std::fmt::Debug,
    E::Column: IntoIden + Copy,
{
    let derived = E::find().order_by_asc(id).all(db).await.expect("derived decoding");
    let positional: Vec<E::Model> = E::find()
        .order_by_asc(id)
        .into_model::<ByPosition<E::Model>>()
        .all(db)
        .await
        .expect("positional decoding")
        .into_iter()
        .map(|ByPosition(row)| row)
        .collect();
    assert!(!derived.is_empty(), "the demo catalogue has rows of every relation");
    assert_eq!(positional, derived);
    derived
}

on_both_backends! {
    /// Doctors, accreditations, certificates, packages and clinics read by position equal
    /// the same rows read by name, including NULL and non-NULL values of optional columns.
    async fn positional_decoding_equals_the_derived_one(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        // A clinic without a website and a doctor without licence or experience: NULLs.
        let id = clinic_with(db, "bare-clinic", "Bare clinic", "PA", "Panama City", "A plain clinic.", true).await;
        doctor(db, id, None).await;

        let doctors = same_both_ways::<doctors::Entity>(db, doctors::Column::Id).await;
        assert!(doctors.iter().any(|d| d.license_number.is_none()) && doctors.iter().any(|d| d.license_number.is_some()));
        let accreditations = same_both_ways::<accreditations::Entity>(db, accreditations::Column::Id).await;
        assert!(accreditations.iter().any(|a| a.expires_on.is_some()));
        same_both_ways::<coa::Entity>(db, coa::Column::Id).await;
        same_both_ways::<treatment_packages::Entity>(db, treatment_packages::Column::Id).await;
        let clinics = same_both_ways::<clinics::Entity>(db, clinics::Column::Id).await;
        assert!(clinics.iter().any(|c| c.website.is_none()) && clinics.iter().any(|c| c.website.is_some()));

        // Columns read in the wrong order are an error, not a wrong value or a panic: an
        // accreditation's dates where a doctor has specialties.
        let misread = accreditations::Entity::find().into_model::<ByPosition<doctors::Model>>().all(db).await;
        assert!(misread.is_err(), "an accreditation row decoded as a doctor");
    }
}
