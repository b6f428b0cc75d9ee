//! The sign-in page.

use crate::html::Href;
use crate::layout::{self, Section};

/// What the sign-in page shows.
#[derive(Debug, Clone, Copy)]
pub struct LoginView<'a> {
    /// The user name typed last time, if any.
    pub user: &'a str,
    /// Where to go after signing in (a local path).
    pub next: &'a str,
    /// The double-submit CSRF token of the form.
    pub csrf: &'a str,
    /// Why the last attempt failed, if it did.
    pub error: Option<&'a str>,
}

/// The sign-in page.
pub fn login_page(view: &LoginView<'_>) -> String {
    layout::page(None, Section::None, "Sign in", None, |h| {
        h.el("section", &[("class", "login")], |h| {
            h.el_text("h1", &[], "Muninn");
            if let Some(error) = view.error {
                h.el_text("div", &[("class", "notice error"), ("role", "alert")], error);
            }
            h.linked(
                "form",
                "action",
                &Href::fixed("/login"),
                &[("method", "post"), ("class", "stack")],
                |h| {
                    h.void("input", &[("type", "hidden"), ("name", "csrf"), ("value", view.csrf)]);
                    h.void("input", &[("type", "hidden"), ("name", "next"), ("value", view.next)]);
                    h.el("label", &[], |h| {
                        h.text("User ");
                        h.void(
                            "input",
                            &[
                                ("type", "text"),
                                ("name", "user"),
                                ("value", view.user),
                                ("autocomplete", "username"),
                                ("required", ""),
                                ("autofocus", ""),
                                ("id", "user"),
                            ],
                        );
                    });
                    h.el("label", &[], |h| {
                        h.text("Password ");
                        h.void(
                            "input",
                            &[
                                ("type", "password"),
                                ("name", "password"),
                                ("autocomplete", "current-password"),
                                ("required", ""),
                                ("id", "password"),
                            ],
                        );
                    });
                    h.el_text("button", &[("type", "submit")], "Sign in");
                },
            );
        });
    })
}
