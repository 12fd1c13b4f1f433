//! Validating a partner's clinic filter and ordering, and turning them into SQL conditions.

use chrono::NaiveDate;
use entity::{accreditations, clinics, treatment_packages, treatments};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};

use super::folding::fold;
use super::vocab::{AccreditationBody, CellSource, ClinicOrderField, ClinicStatus, OrderDirection};
use crate::error::{ServiceError, ServiceResult};
use crate::money::Decimal;

/// The filter as a partner sent it (all parts optional, combined with AND).
#[derive(Clone, Debug, Default)]
pub struct ClinicFilterInput {
    pub country_codes: Option<Vec<String>>,
    pub city: Option<String>,
    pub treatment: Option<String>,
    pub cell_sources: Option<Vec<CellSource>>,
    pub min_cell_count_millions: Option<i32>,
    pub max_price: Option<Decimal>,
    pub accreditation_bodies: Option<Vec<AccreditationBody>>,
    pub verified_only: Option<bool>,
    pub search: Option<String>,
}

/// The ordering a partner asked for.
#[derive(Clone, Copy, Debug)]
pub struct ClinicOrder {
    pub field: ClinicOrderField,
    pub direction: OrderDirection,
}

impl Default for ClinicOrder {
    fn default() -> Self {
        Self { field: ClinicOrderField::Name, direction: OrderDirection::Asc }
    }
}

impl ClinicOrder {
    /// The tag cursors made under this ordering carry.
    pub fn tag(self) -> String {
        format!("{}_{}", self.field.as_str(), self.direction.as_str())
    }
}

const MAX_LIST: usize = 50;
const MAX_TEXT: usize = 200;

/// Refuses text a database cannot hold or compare: control characters (PostgreSQL rejects a
/// NUL outright, and SQLite cuts a string short at one).
pub fn check_text(value: &str, field: &[&str]) -> ServiceResult<()> {
    if value.chars().any(char::is_control) {
        return Err(ServiceError::bad_input(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks the shape of a treatment slug given at `field`.
pub fn check_slug(slug: &str, field: &[&str]) -> ServiceResult<()> {
    if slug.is_empty() || slug.len() > MAX_TEXT {
        return Err(ServiceError::bad_input(field, "the treatment slug must be 1 to 200 characters"));
    }
    check_text(slug, field)
}

/// Resolves a treatment slug, refusing unknown ones as bad input at `field`.
pub async fn treatment_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    field: &[&str],
) -> ServiceResult<treatments::Model> {
    check_slug(slug, field)?;
    treatments::Entity::find()
        .filter(treatments::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::bad_input(field, format!("no treatment has the slug \"{slug}\"")))
}

/// Checks an ISO 3166-1 alpha-2 code and returns it upper-cased.
pub fn country_code(code: &str, field: &[&str]) -> ServiceResult<String> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(ServiceError::bad_input(field, format!("\"{code}\" is not an ISO 3166-1 alpha-2 country code")))
    }
}

fn list<T>(values: &Option<Vec<T>>, name: &str) -> ServiceResult<()> {
    match values {
        Some(v) if v.len() > MAX_LIST => {
            Err(ServiceError::bad_input(&["filter", name], format!("at most {MAX_LIST} values may be given")))
        }
        _ => Ok(()),
    }
}

fn text(value: &Option<String>, name: &str) -> ServiceResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        Some(t) if t.chars().count() > MAX_TEXT => {
            Err(ServiceError::bad_input(&["filter", name], format!("at most {MAX_TEXT} characters")))
        }
        Some("") | None => Ok(None),
        Some(t) => check_text(t, &["filter", name]).map(|()| Some(t.to_owned())),
    }
}

/// `LIKE` pattern matching `needle`, folded, anywhere, with its wildcards escaped.
pub fn contains_pattern(needle: &str) -> LikeExpr {
    let escaped: String = fold(needle)
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// A column of a per-clinic EXISTS that SQLite must not choose an index by. Without planner
/// statistics SQLite ties an index led by, say, `treatment_id` with the one led by
/// `clinic_id`, may pick the former, and then reads every package of the treatment in the
/// whole catalogue for each clinic. A unary `+` keeps the column out of index selection, so
/// the clinic's own rows are read instead. PostgreSQL plans from statistics and is left alone.
pub(super) fn probe(sqlite: bool, col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    // `?` is where SQLite's builder puts the column.
    if sqlite { Expr::cust_with_expr("+?", Expr::col(col)) } else { Expr::col(col) }
}

/// Validates `input` and builds the condition on `clinics` it stands for, as of `today`.
pub async fn condition(
    db: &impl ConnectionTrait,
    input: &ClinicFilterInput,
    today: NaiveDate,
) -> ServiceResult<Condition> {
    let mut cond = Condition::all().add(clinics::Column::Status.eq(ClinicStatus::Published.as_str()));
    list(&input.country_codes, "countryCodes")?;
    list(&input.cell_sources, "cellSources")?;
    list(&input.accreditation_bodies, "accreditationBodies")?;

    if let Some(codes) = &input.country_codes {
        let codes =
            codes.iter().map(|c| country_code(c, &["filter", "countryCodes"])).collect::<ServiceResult<Vec<_>>>()?;
        cond = cond.add(clinics::Column::CountryCode.is_in(codes));
    }
    // Both compare with the copies folded in Rust when the clinic was written: SQLite's
    // LOWER() would fold ASCII letters only.
    if let Some(city) = text(&input.city, "city")? {
        cond = cond.add(clinics::Column::CityFolded.eq(fold(&city)));
    }
    if let Some(search) = text(&input.search, "search")? {
        cond = cond.add(clinics::Column::SearchText.like(contains_pattern(&search)));
    }

    // Package criteria must hold for one and the same active package.
    let mut package = Condition::all()
        .add(
            Expr::col((treatment_packages::Entity, treatment_packages::Column::ClinicId))
                .equals((clinics::Entity, clinics::Column::Id)),
        )
        .add(treatment_packages::Column::Active.eq(true));
    let mut needs_package = false;
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let package_col = |c: treatment_packages::Column| probe(sqlite, (treatment_packages::Entity, c));
    if let Some(slug) = &input.treatment {
        let treatment = treatment_by_slug(db, slug, &["filter", "treatment"]).await?;
        package = package.add(package_col(treatment_packages::Column::TreatmentId).eq(treatment.id));
        needs_package = true;
    }
    if let Some(sources) = &input.cell_sources {
        package = package.add(treatment_packages::Column::CellSource.is_in(sources.iter().map(|s| s.as_str())));
        needs_package = true;
    }
    if let Some(min) = input.min_cell_count_millions {
        if !(0..=100_000).contains(&min) {
            return Err(ServiceError::bad_input(&["filter", "minCellCountMillions"], "must be between 0 and 100000"));
        }
        package = package.add(treatment_packages::Column::CellCountMillions.gte(min));
        needs_package = true;
    }
    if let Some(max) = input.max_price {
        let cents = max.to_minor(2).filter(|c| *c >= 0).ok_or_else(|| {
            ServiceError::bad_input(
                &["filter", "maxPrice"],
                format!("\"{max}\" is not a non-negative USD amount with at most 2 decimals"),
            )
        })?;
        package = package.add(package_col(treatment_packages::Column::PriceUsdMinor).lte(cents));
        needs_package = true;
    }
    if needs_package {
        cond = cond.add(Expr::exists(
            Query::select().expr(Expr::val(1)).from(treatment_packages::Entity).cond_where(package).take(),
        ));
    }

    let owns = || {
        Expr::col((accreditations::Entity, accreditations::Column::ClinicId))
            .equals((clinics::Entity, clinics::Column::Id))
    };
    let unexpired = || {
        Condition::any()
            .add(accreditations::Column::ExpiresOn.is_null())
            .add(accreditations::Column::ExpiresOn.gte(today))
    };
    if let Some(bodies) = &input.accreditation_bodies {
        // A claim found false, or past its expiry, is not an accreditation the clinic holds.
        let inner = Condition::all()
            .add(owns())
            .add(
                probe(sqlite, (accreditations::Entity, accreditations::Column::Body))
                    .is_in(bodies.iter().map(|b| b.as_str())),
            )
            .add(accreditations::Column::Status.ne("REJECTED"))
            .add(unexpired());
        cond = cond.add(Expr::exists(
            Query::select().expr(Expr::val(1)).from(accreditations::Entity).cond_where(inner).take(),
        ));
    }
    if input.verified_only == Some(true) {
        let inner = Condition::all().add(owns()).add(accreditations::Column::Status.eq("VERIFIED")).add(unexpired());
        cond = cond.add(Expr::exists(
            Query::select().expr(Expr::val(1)).from(accreditations::Entity).cond_where(inner).take(),
        ));
    }
    Ok(cond)
}
