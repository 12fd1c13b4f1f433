//! The catalogue's plain objects, answered in one walk of their selection (see
//! [`eager`](crate::graphql::eager)): everything under a clinic but the clinic itself, whose
//! nested lists wait for the batch loader.
//!
//! Each match lists the type's GraphQL field names; a name missing here is still answered,
//! by the derived resolver, only slower (the eager tests catch that).

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Value};

use super::loaders::CatalogueLoader;
use super::types::{Accreditation, CertificateOfAnalysis, Doctor, MarkerResult, Treatment, TreatmentPackage};
use super::vocab::{AccreditationBody, AdministrationRoute, CellSource, ClinicStatus, TestOutcome, VerificationStatus};
use crate::graphql::eager::{Leaf, Plain, enum_leaves, list, object};

enum_leaves!(AccreditationBody, AdministrationRoute, CellSource, ClinicStatus, TestOutcome, VerificationStatus);

pub(super) fn name<'a>(ctx: &'a Context<'_>) -> &'a str {
    ctx.item.node.name.node.as_str()
}

impl Plain for Treatment {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "id" => self.id.leaf(),
            "slug" => self.slug.leaf(),
            "name" => self.name.leaf(),
            "condition" => self.condition.leaf(),
            "description" => self.description.leaf(),
            "regulatoryNote" => self.regulatory_note.leaf(),
            "version" => self.version.leaf(),
            _ => return None,
        })
    }
}

impl Plain for Doctor {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "id" => self.id.leaf(),
            "name" => self.name.leaf(),
            "title" => self.title.leaf(),
            "licenseNumber" => self.license_number.leaf(),
            "yearsOfExperience" => self.years_of_experience.leaf(),
            "specialties" => self.specialties.leaf(),
            "version" => self.version.leaf(),
            _ => return None,
        })
    }
}

impl Plain for Accreditation {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "id" => self.id.leaf(),
            "body" => self.body.leaf(),
            "bodyName" => self.body_name.leaf(),
            "certificateNumber" => self.certificate_number.leaf(),
            "issuedOn" => self.issued_on.leaf(),
            "expiresOn" => self.expires_on.leaf(),
            "status" => self.status.leaf(),
            "verifiedAt" => self.verified_at.leaf(),
            "version" => self.version.leaf(),
            _ => return None,
        })
    }
}

impl Plain for MarkerResult {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "marker" => self.marker.leaf(),
            "percentPositive" => self.percent_positive.leaf(),
            _ => return None,
        })
    }
}

impl Plain for CertificateOfAnalysis {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "id" => self.id.leaf(),
            "lotNumber" => self.lot_number.leaf(),
            "laboratoryName" => self.laboratory_name.leaf(),
            "laboratoryAccreditation" => self.laboratory_accreditation.leaf(),
            "issuedOn" => self.issued_on.leaf(),
            "cellSource" => self.cell_source.leaf(),
            "cellCountMillions" => self.cell_count_millions.leaf(),
            "viabilityPercent" => self.viability_percent.leaf(),
            "sterility" => self.sterility.leaf(),
            "endotoxin" => self.endotoxin.leaf(),
            "mycoplasma" => self.mycoplasma.leaf(),
            "markers" => list(&self.markers, ctx)?,
            "documentUrl" => self.document_url.leaf(),
            "documentSha256" => self.document_sha256.leaf(),
            "status" => self.status.leaf(),
            "meetsReleaseCriteria" => self.meets_release_criteria.leaf(),
            "verifiedAt" => self.verified_at.leaf(),
            "version" => self.version.leaf(),
            _ => return None,
        })
    }
}

impl Plain for TreatmentPackage {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "id" => self.id.leaf(),
            "name" => self.name.leaf(),
            "cellSource" => self.cell_source.leaf(),
            "cellCountMillions" => self.cell_count_millions.leaf(),
            "administrationRoutes" => self.administration_routes.leaf(),
            "sessions" => self.sessions.leaf(),
            "stayDays" => self.stay_days.leaf(),
            "price" => object(&self.price, ctx)?,
            "inclusions" => self.inclusions.leaf(),
            "active" => self.active.leaf(),
            "version" => self.version.leaf(),
            // Read with the clinic's packages; a package fetched alone waits for the loader.
            "treatment" => {
                let loader = ctx.data::<DataLoader<CatalogueLoader>>().ok()?;
                object(loader.loader().read_treatment(self.treatment_id)?, ctx)?
            }
            _ => return None,
        })
    }
}
