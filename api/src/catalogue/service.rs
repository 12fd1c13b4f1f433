//! Catalogue reads that are not nested fields: treatments, one clinic, the cost table, and
//! catalogue objects by id (for `node`). Only published clinics, and what belongs to them,
//! are visible.

use entity::{
    accreditations, certificates_of_analysis as coa, clinics, coa_markers, doctors, treatment_packages, treatments,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use super::filter::{check_text, treatment_by_slug};
use super::vocab::ClinicStatus;
use crate::error::{ServiceError, ServiceResult};

/// Every treatment, by name.
pub async fn treatments(db: &DatabaseConnection) -> ServiceResult<Vec<treatments::Model>> {
    Ok(treatments::Entity::find()
        .order_by_asc(treatments::Column::Name)
        .order_by_asc(treatments::Column::Id)
        .all(db)
        .await?)
}

/// A published clinic by row id.
pub async fn clinic_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<clinics::Model>> {
    Ok(clinics::Entity::find_by_id(id)
        .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
        .one(db)
        .await?)
}

/// A published clinic by slug.
pub async fn clinic_by_slug(db: &DatabaseConnection, slug: &str) -> ServiceResult<Option<clinics::Model>> {
    if slug.len() > 200 {
        return Err(ServiceError::bad_input(&["slug"], "a slug has at most 200 characters"));
    }
    check_text(slug, &["slug"])?;
    Ok(clinics::Entity::find()
        .filter(clinics::Column::Slug.eq(slug))
        .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
        .one(db)
        .await?)
}

/// The catalogue records behind a set of global IDs, each kind read in one statement
/// (`node` and `nodes`): only published clinics and what belongs to them, only active
/// packages.
#[derive(Default)]
pub struct Records {
    pub treatments: Vec<treatments::Model>,
    pub clinics: Vec<clinics::Model>,
    pub doctors: Vec<doctors::Model>,
    pub accreditations: Vec<accreditations::Model>,
    pub certificates: Vec<(coa::Model, Vec<coa_markers::Model>)>,
    pub packages: Vec<treatment_packages::Model>,
}

/// Row ids to read, by kind.
#[derive(Default)]
pub struct RecordIds {
    pub treatments: Vec<i32>,
    pub clinics: Vec<i32>,
    pub doctors: Vec<i32>,
    pub accreditations: Vec<i32>,
    pub certificates: Vec<i32>,
    pub packages: Vec<i32>,
}

/// `E`'s rows with these ids whose clinic (reached by `clinic`) is published; no statement
/// when `ids` is empty.
async fn of_published<E: EntityTrait>(
    db: &DatabaseConnection,
    ids: &[i32],
    id: E::Column,
    clinic: sea_orm::RelationDef,
) -> ServiceResult<Vec<E::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(E::find()
        .join(JoinType::InnerJoin, clinic)
        .filter(id.is_in(ids.iter().copied()))
        .filter(Expr::col((clinics::Entity, clinics::Column::Status)).eq(ClinicStatus::Published.as_str()))
        .all(db)
        .await?)
}

/// Reads every record `ids` names, one statement per kind asked for.
pub async fn records(db: &DatabaseConnection, ids: &RecordIds) -> ServiceResult<Records> {
    let treatments = if ids.treatments.is_empty() {
        Vec::new()
    } else {
        treatments::Entity::find().filter(treatments::Column::Id.is_in(ids.treatments.iter().copied())).all(db).await?
    };
    let clinics = if ids.clinics.is_empty() {
        Vec::new()
    } else {
        clinics::Entity::find()
            .filter(clinics::Column::Id.is_in(ids.clinics.iter().copied()))
            .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
            .all(db)
            .await?
    };
    let doctors =
        of_published::<doctors::Entity>(db, &ids.doctors, doctors::Column::Id, doctors::Relation::Clinic.def());
    let accreditations = of_published::<accreditations::Entity>(
        db,
        &ids.accreditations,
        accreditations::Column::Id,
        accreditations::Relation::Clinic.def(),
    );
    let certificates = of_published::<coa::Entity>(db, &ids.certificates, coa::Column::Id, coa::Relation::Clinic.def());
    let packages = async {
        let rows = of_published::<treatment_packages::Entity>(
            db,
            &ids.packages,
            treatment_packages::Column::Id,
            treatment_packages::Relation::Clinic.def(),
        )
        .await?;
        Ok::<_, ServiceError>(rows.into_iter().filter(|p| p.active).collect::<Vec<_>>())
    };
    let (doctors, accreditations, certificates, packages) =
        futures::try_join!(doctors, accreditations, certificates, packages)?;
    let markers = if certificates.is_empty() {
        Vec::new()
    } else {
        coa_markers::Entity::find()
            .filter(coa_markers::Column::CertificateId.is_in(certificates.iter().map(|c| c.id)))
            .order_by_asc(coa_markers::Column::Id)
            .all(db)
            .await?
    };
    let certificates = certificates
        .into_iter()
        .map(|c| {
            let own = markers.iter().filter(|m| m.certificate_id == c.id).cloned().collect();
            (c, own)
        })
        .collect();
    Ok(Records { treatments, clinics, doctors, accreditations, certificates, packages })
}

/// One row of the per-country cost table, in US cents.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CountryCosts {
    pub country_code: String,
    pub clinic_count: i64,
    pub min_price: i64,
    pub max_price: i64,
    pub min_cells: i32,
    pub max_cells: i32,
}

/// The article's cost table, live: per country, over the active packages of published
/// clinics for the treatment `slug`.
pub async fn cost_comparison(db: &DatabaseConnection, slug: &str) -> ServiceResult<Vec<CountryCosts>> {
    let treatment = treatment_by_slug(db, slug, &["treatment"]).await?;
    let p = |c: treatment_packages::Column| Expr::col((treatment_packages::Entity, c));
    Ok(treatment_packages::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, treatment_packages::Relation::Clinic.def())
        .column_as(Expr::col((clinics::Entity, clinics::Column::CountryCode)), "country_code")
        .column_as(Expr::expr(Func::count_distinct(Expr::col((clinics::Entity, clinics::Column::Id)))), "clinic_count")
        .column_as(p(treatment_packages::Column::PriceUsdMinor).min(), "min_price")
        .column_as(p(treatment_packages::Column::PriceUsdMinor).max(), "max_price")
        .column_as(p(treatment_packages::Column::CellCountMillions).min(), "min_cells")
        .column_as(p(treatment_packages::Column::CellCountMillions).max(), "max_cells")
        .filter(treatment_packages::Column::TreatmentId.eq(treatment.id))
        .filter(treatment_packages::Column::Active.eq(true))
        .filter(Expr::col((clinics::Entity, clinics::Column::Status)).eq(ClinicStatus::Published.as_str()))
        .group_by(Expr::col((clinics::Entity, clinics::Column::CountryCode)))
        .order_by_asc(Expr::col((clinics::Entity, clinics::Column::CountryCode)))
        .into_model::<CountryCosts>()
        .all(db)
        .await?)
}
