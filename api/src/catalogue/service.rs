//! Catalogue reads that are not nested fields: treatments, one clinic, the cost table, and
//! catalogue objects by id (for `node`). Only published clinics, and what belongs to them,
//! are visible.

use entity::{accreditations, certificates_of_analysis as coa, clinics, doctors, treatment_packages, treatments};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use super::filter::{check_text, treatment_by_slug};
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
    Ok(clinics::Entity::find_by_id(id).filter(clinics::Column::Published.eq(true)).one(db).await?)
}

/// A published clinic by slug.
pub async fn clinic_by_slug(db: &DatabaseConnection, slug: &str) -> ServiceResult<Option<clinics::Model>> {
    if slug.len() > 200 {
        return Err(ServiceError::bad_input(&["slug"], "a slug has at most 200 characters"));
    }
    check_text(slug, &["slug"])?;
    Ok(clinics::Entity::find()
        .filter(clinics::Column::Slug.eq(slug))
        .filter(clinics::Column::Published.eq(true))
        .one(db)
        .await?)
}

/// A treatment by row id.
pub async fn treatment_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<treatments::Model>> {
    Ok(treatments::Entity::find_by_id(id).one(db).await?)
}

async fn published(db: &DatabaseConnection, clinic_id: i32) -> ServiceResult<bool> {
    Ok(clinic_by_id(db, clinic_id).await?.is_some())
}

/// A doctor of a published clinic.
pub async fn doctor_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<doctors::Model>> {
    match doctors::Entity::find_by_id(id).one(db).await? {
        Some(d) if published(db, d.clinic_id).await? => Ok(Some(d)),
        _ => Ok(None),
    }
}

/// An accreditation of a published clinic.
pub async fn accreditation_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<accreditations::Model>> {
    match accreditations::Entity::find_by_id(id).one(db).await? {
        Some(a) if published(db, a.clinic_id).await? => Ok(Some(a)),
        _ => Ok(None),
    }
}

/// A certificate of a published clinic.
pub async fn certificate_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<coa::Model>> {
    match coa::Entity::find_by_id(id).one(db).await? {
        Some(c) if published(db, c.clinic_id).await? => Ok(Some(c)),
        _ => Ok(None),
    }
}

/// An active package of a published clinic.
pub async fn package_by_id(db: &DatabaseConnection, id: i32) -> ServiceResult<Option<treatment_packages::Model>> {
    match treatment_packages::Entity::find_by_id(id).filter(treatment_packages::Column::Active.eq(true)).one(db).await?
    {
        Some(p) if published(db, p.clinic_id).await? => Ok(Some(p)),
        _ => Ok(None),
    }
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
        .filter(Expr::col((clinics::Entity, clinics::Column::Published)).eq(true))
        .group_by(Expr::col((clinics::Entity, clinics::Column::CountryCode)))
        .order_by_asc(Expr::col((clinics::Entity, clinics::Column::CountryCode)))
        .into_model::<CountryCosts>()
        .all(db)
        .await?)
}

/// The markers of one certificate.
pub async fn markers_of(
    db: &DatabaseConnection,
    certificate_id: i32,
) -> ServiceResult<Vec<entity::coa_markers::Model>> {
    Ok(entity::coa_markers::Entity::find()
        .filter(entity::coa_markers::Column::CertificateId.eq(certificate_id))
        .order_by_asc(entity::coa_markers::Column::Id)
        .all(db)
        .await?)
}
