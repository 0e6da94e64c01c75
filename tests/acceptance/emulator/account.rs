//! EC2 state moto lacks, answered as EC2 writes it (its own XML: names as the wire spells them,
//! list items as `<item>`): the account's instance metadata defaults and Allowed AMIs settings,
//! capacity reservations, and the encryption of AMI snapshots (moto cannot encrypt the snapshot
//! an AMI is made with).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::http::Message;
use super::query;

const NAMESPACE: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// What the fixture says of the account's EC2 settings; each defaults to what a new account has.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ec2Account {
    /// `GetInstanceMetadataDefaults`'s `accountLevel`, as EC2 spells it on the wire
    /// (`{"httpEndpoint": "disabled"}`); none set by default.
    pub instance_metadata_defaults: Option<Value>,
    /// `GetAllowedImagesSettings`'s answer as EC2 spells it (`{"state": "enabled",
    /// "imageCriterionSet": [{"imageProviderSet": ["amazon"]}]}`); disabled by default.
    pub allowed_images: Option<Value>,
    /// Capacity reservations as `DescribeCapacityReservations` spells each (`capacityReservationId`,
    /// `instanceType`, `availabilityZone`, `state`, …).
    pub capacity_reservations: Vec<Value>,
    /// The KMS key encrypting a snapshot, by snapshot ID: `DescribeSnapshots` reports it.
    pub encrypted_snapshots: HashMap<String, String>,
}

/// JSON as EC2's XML: an object's members become elements named as they are, a list's items
/// `<item>`s.
fn xml(value: &Value) -> String {
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(name, value)| format!("<{name}>{}</{name}>", xml(value)))
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| format!("<item>{}</item>", xml(item)))
            .collect(),
        other => query::xml(other),
    }
}

fn answer(action: &str, result: &Value) -> Message {
    let body = format!(
        "<{action}Response xmlns=\"{NAMESPACE}\"><requestId>fixture</requestId>{}</{action}Response>",
        xml(result)
    );
    Message::response(200, &[("Content-Type", "text/xml")], body.into_bytes())
}

fn error(code: &str, message: &str) -> Message {
    let body = format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>{}</Message></Error></Errors>\
         <RequestID>fixture</RequestID></Response>",
        query::xml(&Value::from(message))
    );
    Message::response(400, &[("Content-Type", "text/xml")], body.into_bytes())
}

impl Ec2Account {
    /// The answer to `action` (`ec2:Operation`) from the fixture, for the operations moto lacks.
    pub(crate) fn answer(&self, action: &str, form: &[(String, String)]) -> Option<Message> {
        Some(match action {
            "ec2:GetInstanceMetadataDefaults" => answer(
                "GetInstanceMetadataDefaults",
                &json!({ "accountLevel": self.instance_metadata_defaults.clone().unwrap_or(json!({})) }),
            ),
            "ec2:GetAllowedImagesSettings" => answer(
                "GetAllowedImagesSettings",
                &self
                    .allowed_images
                    .clone()
                    .unwrap_or(json!({"state": "disabled"})),
            ),
            "ec2:DescribeCapacityReservations" => self.capacity_reservations(form),
            _ => return None,
        })
    }

    fn capacity_reservations(&self, form: &[(String, String)]) -> Message {
        let wanted: Vec<&str> = form
            .iter()
            .filter(|(key, _)| key.starts_with("CapacityReservationId."))
            .map(|(_, id)| id.as_str())
            .collect();
        fn id(reservation: &Value) -> Option<&str> {
            reservation["capacityReservationId"].as_str()
        }
        if let Some(missing) = wanted.iter().find(|wanted| {
            !self
                .capacity_reservations
                .iter()
                .any(|r| id(r) == Some(**wanted))
        }) {
            return error(
                "InvalidCapacityReservationId.NotFound",
                &format!("The capacity reservation ID '{missing}' does not exist"),
            );
        }
        let found: Vec<&Value> = self
            .capacity_reservations
            .iter()
            .filter(|r| wanted.is_empty() || id(r).is_some_and(|id| wanted.contains(&id)))
            .collect();
        answer(
            "DescribeCapacityReservations",
            &json!({ "capacityReservationSet": found }),
        )
    }

    /// moto's `DescribeSnapshots` answer, with the snapshots the fixture encrypts encrypted.
    pub(crate) fn encrypt_snapshots(&self, response: &mut Message) {
        if self.encrypted_snapshots.is_empty() {
            return;
        }
        let body = String::from_utf8_lossy(&response.body).into_owned();
        let items: Vec<String> = body
            .split("<item>")
            .map(|item| {
                let snapshot = self
                    .encrypted_snapshots
                    .iter()
                    .find(|(id, _)| item.contains(&format!("<snapshotId>{id}</snapshotId>")));
                match snapshot {
                    Some((_, key)) => item.replacen(
                        "<encrypted>false</encrypted>",
                        &format!("<encrypted>true</encrypted><kmsKeyId>{key}</kmsKeyId>"),
                        1,
                    ),
                    None => item.to_owned(),
                }
            })
            .collect();
        response.body = items.join("<item>").into_bytes();
    }
}
