//! The hot relations of the partner read path, decoded by column position (see
//! [`positional`](crate::db::positional)): each decoder reads the columns in the order
//! `Entity::find()` selects them, which is the order of the model's fields.

use entity::{accreditations, certificates_of_analysis as coa, clinics, doctors, treatment_packages as packages};
use sea_orm::DbErr;

use crate::db::positional::{Columns, Positional};

impl Positional for doctors::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.next()?,
            clinic_id: c.next()?,
            name: c.next()?,
            title: c.next()?,
            license_number: c.next()?,
            years_of_experience: c.next()?,
            specialties: c.next()?,
            version: c.next()?,
        })
    }
}

impl Positional for accreditations::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.next()?,
            clinic_id: c.next()?,
            body: c.next()?,
            body_name: c.next()?,
            certificate_number: c.next()?,
            issued_on: c.next()?,
            expires_on: c.next()?,
            status: c.next()?,
            version: c.next()?,
            verified_at: c.next()?,
            verified_by: c.next()?,
        })
    }
}

impl Positional for coa::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.next()?,
            clinic_id: c.next()?,
            lot_number: c.next()?,
            laboratory_name: c.next()?,
            laboratory_accreditation: c.next()?,
            issued_on: c.next()?,
            cell_source: c.next()?,
            cell_count_millions: c.next()?,
            viability_percent: c.next()?,
            sterility: c.next()?,
            endotoxin: c.next()?,
            mycoplasma: c.next()?,
            document_url: c.next()?,
            document_sha256: c.next()?,
            status: c.next()?,
            version: c.next()?,
            verified_at: c.next()?,
            verified_by: c.next()?,
        })
    }
}

impl Positional for packages::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.next()?,
            clinic_id: c.next()?,
            treatment_id: c.next()?,
            name: c.next()?,
            cell_source: c.next()?,
            cell_count_millions: c.next()?,
            administration_routes: c.next()?,
            sessions: c.next()?,
            stay_days: c.next()?,
            price_minor: c.next()?,
            currency_code: c.next()?,
            price_usd_minor: c.next()?,
            inclusions: c.next()?,
            active: c.next()?,
            version: c.next()?,
        })
    }
}

impl Positional for clinics::Model {
    fn decode(c: &mut Columns<'_>) -> Result<Self, DbErr> {
        Ok(Self {
            id: c.next()?,
            slug: c.next()?,
            name: c.next()?,
            country_code: c.next()?,
            city: c.next()?,
            description: c.next()?,
            search_text: c.next()?,
            city_folded: c.next()?,
            website: c.next()?,
            languages: c.next()?,
            status: c.next()?,
            version: c.next()?,
            safety_score: c.next()?,
            safety_score_valid_until: c.next()?,
            lowest_price_usd_minor: c.next()?,
            created_at: c.next()?,
            updated_at: c.next()?,
        })
    }
}
