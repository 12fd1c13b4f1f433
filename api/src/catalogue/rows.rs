//! The hot relations of the partner read path, decoded by column position (see
//! [`positional`](crate::db::positional)): each decoder reads the columns in the order
//! `Entity::find()` selects them, which is the order of the model's fields.

use entity::{accreditations, certificates_of_analysis as coa, clinics, doctors, treatment_packages as packages};
use sea_orm::DbErr;

use crate::db::positional::{Columns, Positional};

impl Positional for doctors::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.take()?,
            clinic_id: c.take()?,
            name: c.take()?,
            title: c.take()?,
            license_number: c.take()?,
            years_of_experience: c.take()?,
            specialties: c.take()?,
            version: c.take()?,
        })
    }
}

impl Positional for accreditations::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.take()?,
            clinic_id: c.take()?,
            body: c.take()?,
            body_name: c.take()?,
            certificate_number: c.take()?,
            issued_on: c.take()?,
            expires_on: c.take()?,
            status: c.take()?,
            version: c.take()?,
            verified_at: c.take()?,
            verified_by: c.take()?,
        })
    }
}

impl Positional for coa::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.take()?,
            clinic_id: c.take()?,
            lot_number: c.take()?,
            laboratory_name: c.take()?,
            laboratory_accreditation: c.take()?,
            issued_on: c.take()?,
            cell_source: c.take()?,
            cell_count_millions: c.take()?,
            viability_percent: c.take()?,
            sterility: c.take()?,
            endotoxin: c.take()?,
            mycoplasma: c.take()?,
            document_url: c.take()?,
            document_sha256: c.take()?,
            status: c.take()?,
            version: c.take()?,
            verified_at: c.take()?,
            verified_by: c.take()?,
        })
    }
}

impl Positional for packages::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.take()?,
            clinic_id: c.take()?,
            treatment_id: c.take()?,
            name: c.take()?,
            cell_source: c.take()?,
            cell_count_millions: c.take()?,
            administration_routes: c.take()?,
            sessions: c.take()?,
            stay_days: c.take()?,
            price_minor: c.take()?,
            currency_code: c.take()?,
            price_usd_minor: c.take()?,
            inclusions: c.take()?,
            active: c.take()?,
            version: c.take()?,
        })
    }
}

impl Positional for clinics::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.take()?,
            slug: c.take()?,
            name: c.take()?,
            country_code: c.take()?,
            city: c.take()?,
            description: c.take()?,
            search_text: c.take()?,
            city_folded: c.take()?,
            website: c.take()?,
            languages: c.take()?,
            status: c.take()?,
            version: c.take()?,
            safety_score: c.take()?,
            safety_score_valid_until: c.take()?,
            lowest_price_usd_minor: c.take()?,
            created_at: c.take()?,
            updated_at: c.take()?,
        })
    }
}
