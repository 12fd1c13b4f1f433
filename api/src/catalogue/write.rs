//! The one write path of the catalogue: every writer of clinics and packages — the demo
//! loader, the test fixtures, the benchmark generator and the administration to come —
//! builds its rows here, so the values derived from what is written stay right:
//!
//! - a clinic's case-folded texts ([`folding`](super::folding)) are computed from its name,
//!   city and description whenever those are written;
//! - a package's USD price is derived from its price and currency by one rule;
//! - the clinic roll-ups (safety score, lowest price) start empty and are computed by
//!   [`refresh_derived`] once the rows that feed them are written;
//! - the catalogue version advances with every write ([`advance_version`], which
//!   `refresh_derived` calls), in the write's transaction, for the response cache.
//!
//! Rows are returned as active models, not inserted, so a caller can insert them one by one
//! inside its transaction or in bulk with ids of its own (the benchmark writes 10,000
//! clinics). Administration updates rows through the same drafts ([`ClinicDraft::changes`],
//! [`PackageDraft::changes`]) and refreshes the roll-ups inside its own transaction, before
//! it commits, so no reader ever sees a clinic whose derived values lag its records.

use chrono::{DateTime, Utc};
use entity::{catalogue_version, clinics, treatment_packages};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::folding::FoldedTexts;
use super::rollups;
use super::vocab::ClinicStatus;
use crate::error::{ServiceError, ServiceResult};

/// What is written of a clinic; everything else in its row is derived.
#[derive(Clone, Debug)]
pub struct ClinicDraft {
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub city: String,
    pub description: String,
    pub website: Option<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// Partners see PUBLISHED clinics only.
    pub status: ClinicStatus,
}

impl ClinicDraft {
    /// The clinic's new row as of `now`, with its folded texts and empty roll-ups (until
    /// [`refresh_derived`] runs).
    pub fn row(&self, now: DateTime<Utc>) -> clinics::ActiveModel {
        clinics::ActiveModel {
            slug: Set(self.slug.clone()),
            status: Set(self.status.as_str().to_owned()),
            version: Set(1),
            safety_score: Set(0),
            safety_score_valid_until: Set(None),
            lowest_price_usd_minor: Set(None),
            created_at: Set(now),
            ..self.changes(now)
        }
    }

    /// The descriptive columns of the clinic as of `now`, with their folded copies: what an
    /// update writes (the slug, status and roll-ups are left as they are).
    pub fn changes(&self, now: DateTime<Utc>) -> clinics::ActiveModel {
        let folded = FoldedTexts::of(&self.name, &self.city, &self.description);
        clinics::ActiveModel {
            name: Set(self.name.clone()),
            country_code: Set(self.country_code.clone()),
            city: Set(self.city.clone()),
            description: Set(self.description.clone()),
            search_text: Set(folded.search_text),
            city_folded: Set(folded.city_folded),
            website: Set(self.website.clone()),
            languages: Set(json!(self.languages)),
            updated_at: Set(now),
            ..Default::default()
        }
    }
}

/// What is written of a treatment package; its USD price is derived.
#[derive(Clone, Debug)]
pub struct PackageDraft {
    pub clinic_id: i32,
    pub treatment_id: i32,
    pub name: String,
    pub cell_source: String,
    pub cell_count_millions: i32,
    pub administration_routes: Vec<String>,
    pub sessions: i32,
    pub stay_days: i32,
    /// The price in minor units of `currency_code`.
    pub price_minor: i64,
    /// ISO 4217.
    pub currency_code: String,
    pub inclusions: Vec<String>,
    pub active: bool,
}

impl PackageDraft {
    /// The package's new row, with its USD price.
    pub fn row(&self) -> ServiceResult<treatment_packages::ActiveModel> {
        Ok(treatment_packages::ActiveModel {
            clinic_id: Set(self.clinic_id),
            active: Set(self.active),
            version: Set(1),
            ..self.changes()?
        })
    }

    /// What an update of the package writes, with its USD price (the clinic and the
    /// active flag are left as they are).
    pub fn changes(&self) -> ServiceResult<treatment_packages::ActiveModel> {
        Ok(treatment_packages::ActiveModel {
            treatment_id: Set(self.treatment_id),
            name: Set(self.name.clone()),
            cell_source: Set(self.cell_source.clone()),
            cell_count_millions: Set(self.cell_count_millions),
            administration_routes: Set(json!(self.administration_routes)),
            sessions: Set(self.sessions),
            stay_days: Set(self.stay_days),
            price_minor: Set(self.price_minor),
            currency_code: Set(self.currency_code.clone()),
            price_usd_minor: Set(usd_minor(self.price_minor, &self.currency_code)?),
            inclusions: Set(json!(self.inclusions)),
            ..Default::default()
        })
    }
}

/// The USD price of `price_minor` in `currency`, which partners compare and order by. The
/// catalogue holds USD prices only until an exchange-rate source is chosen, so any other
/// currency is refused here rather than compared at a made-up rate.
pub fn usd_minor(price_minor: i64, currency: &str) -> ServiceResult<i64> {
    if currency == "USD" {
        Ok(price_minor)
    } else {
        Err(ServiceError::bad_input(&["currencyCode"], format!("catalogue prices are in USD, not {currency}")))
    }
}

/// Recomputes what the catalogue derives for `clinic_ids` (safety score, lowest price) as of
/// `now`: every writer calls this for the clinics it touched, on its own transaction, so
/// the roll-ups commit (or roll back) with the records they are derived from. (Outside a
/// transaction each clinic's update commits alone, which costs SQLite a sync each.)
pub async fn refresh_derived(conn: &impl ConnectionTrait, clinic_ids: &[i32], now: DateTime<Utc>) -> ServiceResult<()> {
    rollups::refresh(conn, clinic_ids, now).await?;
    advance_version(conn).await
}

/// Advances the catalogue version on `conn`, the writer's transaction, so that cached
/// catalogue answers read at an older version are never served again once it commits.
/// [`refresh_derived`] does this for every write that touches a clinic; a write that does
/// not (a treatment's texts) calls it itself.
pub async fn advance_version(conn: &impl ConnectionTrait) -> ServiceResult<()> {
    catalogue_version::Entity::update_many()
        .col_expr(catalogue_version::Column::Version, Expr::col(catalogue_version::Column::Version).add(1))
        .filter(catalogue_version::Column::Id.eq(1))
        .exec(conn)
        .await?;
    Ok(())
}
