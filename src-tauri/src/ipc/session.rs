//! Who is signed in: roles, users, the demo accounts, the session itself.

wire! {
    pub enum RoleView {
        Staff,
        Supervisor,
        Admin,
    }

    pub struct UserView {
        pub name: String,
        pub role: RoleView,
    }

    /// A demo account, shown on the sign-in screen of a demo database only.
    pub struct DemoUser {
        pub name: String,
        pub role: RoleView,
        pub pin: String,
    }

    /// Who is signed in. The role is what Rust holds; the UI uses it only to hide what the
    /// commands would refuse anyway.
    pub struct SessionView {
        pub user: Option<UserView>,
        /// Signed in, but idle too long: the PIN must be entered again.
        pub locked: bool,
        pub idle_lock_secs: u32,
        pub can_approve: bool,
        /// May see the developer figures on the floor screens (scan latency, database and
        /// device paths, UTC times) under their "Details" toggle: whoever may save
        /// diagnostics (supervisors and admins).
        pub can_see_details: bool,
        pub demo_users: Vec<DemoUser>,
        /// The signed-in user's own language (a UI catalogue name such as "es"), `null` when
        /// they never chose one, when nobody is signed in, and while the session is locked:
        /// the sign-in and lock screens keep the workstation's language.
        pub language: Option<String>,
    }
}

impl From<shelfsync_core::Role> for RoleView {
    fn from(role: shelfsync_core::Role) -> RoleView {
        match role {
            shelfsync_core::Role::Staff => RoleView::Staff,
            shelfsync_core::Role::Supervisor => RoleView::Supervisor,
            shelfsync_core::Role::Admin => RoleView::Admin,
        }
    }
}

impl From<&shelfsync_store::User> for UserView {
    fn from(user: &shelfsync_store::User) -> UserView {
        UserView { name: user.name.clone(), role: user.role.into() }
    }
}

impl RoleView {
    pub fn to_role(&self) -> shelfsync_core::Role {
        match self {
            RoleView::Staff => shelfsync_core::Role::Staff,
            RoleView::Supervisor => shelfsync_core::Role::Supervisor,
            RoleView::Admin => shelfsync_core::Role::Admin,
        }
    }
}
