//! `auth`: changes to users, roles and claims, sent to every subscriber. Bodies carry ids only;
//! for the `_ADDED` relation messages the id is the name given in the request.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubAuthChannel {
    #[serde(rename = "auth")]
    Auth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubAuthMessage {
    UserAdded(HubAuthUser),
    UserUpdated(HubAuthUser),
    UserRemoved(HubAuthUser),
    RoleAdded(HubAuthRole),
    RoleRemoved(HubAuthRole),
    ClaimAdded(HubAuthClaim),
    ClaimRemoved(HubAuthClaim),
    RoleClaimAdded(HubAuthRoleClaim),
    RoleClaimRemoved(HubAuthRoleClaim),
    UserRoleAdded(HubAuthUserRole),
    UserRoleRemoved(HubAuthUserRole),
    UserClaimAdded(HubAuthUserClaim),
    UserClaimRemoved(HubAuthUserClaim),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthUser {
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthRole {
    pub role_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthClaim {
    pub claim_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthRoleClaim {
    pub role_id: String,
    pub claim_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthUserRole {
    pub user_id: String,
    pub role_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubAuthUserClaim {
    pub user_id: String,
    pub claim_id: String,
}
