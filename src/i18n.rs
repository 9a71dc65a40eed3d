//! Interface strings in the page's language. English and Spanish are bundled;
//! a page is Spanish when its content is (`lang: es`, the glossary), so the
//! words around the text match the text. One table per language, one field
//! per string: a missing translation is a compile error, not a fallback.

use serde::{Deserialize, Serialize};

/// The interface language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Es,
}

impl Locale {
    /// `es`, `es-MX`, `ES` → Spanish; anything else → English.
    pub fn from_lang(lang: &str) -> Locale {
        let primary = lang.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("es") {
            Locale::Es
        } else {
            Locale::En
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::En => &EN,
            Locale::Es => &ES,
        }
    }

    /// The page's locale: on the server, the one the render was given (see
    /// `app::shell`), English when none was; in the browser, the page's
    /// `<html lang>`, which the server wrote from that same locale. Islands
    /// read it here rather than taking it as a prop: a prop is JSON in the
    /// page, and decoding it would put serde_json in every page's WASM.
    pub fn current() -> Locale {
        #[cfg(feature = "hydrate")]
        {
            leptos::prelude::document()
                .document_element()
                .and_then(|html| html.get_attribute("lang"))
                .map_or(Locale::En, |lang| Locale::from_lang(&lang))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            leptos::prelude::use_context::<Locale>().unwrap_or_default()
        }
    }

    /// `2025-03-12` → `12 March 2025` / `12 de marzo de 2025`. An ISO date
    /// that does not parse is shown as given.
    pub fn date(self, iso: &str) -> String {
        let mut parts = iso.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return iso.to_string();
        };
        let (Ok(month), Ok(day)) = (m.parse::<usize>(), d.get(..2).unwrap_or(d).parse::<u32>())
        else {
            return iso.to_string();
        };
        let Some(name) = month
            .checked_sub(1)
            .and_then(|i| self.strings().months.get(i))
        else {
            return iso.to_string();
        };
        match self {
            Locale::En => format!("{day} {name} {y}"),
            Locale::Es => format!("{day} de {name} de {y}"),
        }
    }
}

/// Every string the interface shows, in one language.
#[derive(Debug)]
pub struct Strings {
    pub skip_to_content: &'static str,
    pub nav_main: &'static str,
    pub nav_home: &'static str,
    pub nav_about: &'static str,
    pub nav_glossary: &'static str,
    pub nav_tags: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub quick_search: &'static str,
    pub theme_title: &'static str,
    pub theme_suffix: &'static str,
    pub theme_auto: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub footer_about: &'static str,
    pub footer_rendered: &'static str,
    pub footer_markdown: &'static str,
    pub footer_emoji: &'static str,
    pub footer_feed: &'static str,
    pub tags_label: &'static str,
    pub min_read: &'static str,
    pub updated: &'static str,
    pub by: &'static str,
    pub contents: &'static str,
    pub toc_label: &'static str,
    pub more_posts: &'static str,
    pub series_label: &'static str,
    /// `{part}`, `{total}`: "Part 2 of 3 in the series ".
    pub series_position: &'static str,
    pub related: &'static str,
    pub not_found_title: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_text: &'static str,
    pub not_found_back: &'static str,
    pub error_title: &'static str,
    pub error_heading: &'static str,
    pub copy: &'static str,
    pub copy_label: &'static str,
    pub copied: &'static str,
    pub months: [&'static str; 12],
}

impl Strings {
    /// Every string of the table (for the test that a page in one language
    /// shows none of the other's).
    pub fn all(&self) -> Vec<&'static str> {
        let mut all = vec![
            self.skip_to_content,
            self.nav_main,
            self.nav_home,
            self.nav_about,
            self.nav_glossary,
            self.nav_tags,
            self.search,
            self.search_placeholder,
            self.quick_search,
            self.theme_title,
            self.theme_suffix,
            self.theme_auto,
            self.theme_light,
            self.theme_dark,
            self.footer_about,
            self.footer_rendered,
            self.footer_markdown,
            self.footer_emoji,
            self.footer_feed,
            self.tags_label,
            self.min_read,
            self.updated,
            self.by,
            self.contents,
            self.toc_label,
            self.more_posts,
            self.series_label,
            self.series_position,
            self.related,
            self.not_found_title,
            self.not_found_heading,
            self.not_found_text,
            self.not_found_back,
            self.error_title,
            self.error_heading,
            self.copy,
            self.copy_label,
            self.copied,
        ];
        all.extend(self.months);
        all
    }

    /// "Part 2 of 3 in the series ", in this language.
    pub fn series_position(&self, part: usize, total: usize) -> String {
        self.series_position
            .replace("{part}", &part.to_string())
            .replace("{total}", &total.to_string())
    }
}

pub static EN: Strings = Strings {
    skip_to_content: "Skip to content",
    nav_main: "Main",
    nav_home: "Home",
    nav_about: "About",
    nav_glossary: "Glossary",
    nav_tags: "Tags",
    search: "Search",
    search_placeholder: "Search  /",
    quick_search: "Quick search",
    theme_title: "Change the colour theme",
    theme_suffix: " colour theme",
    theme_auto: "◐ Auto",
    theme_light: "☀ Light",
    theme_dark: "☾ Dark",
    footer_about: "A microblog for SRE, DevOps and MLOps. Rendered on the server with ",
    footer_rendered: "Leptos",
    footer_markdown: ", written in Markdown. ",
    footer_emoji: "Emoji shortcodes",
    footer_feed: "Atom feed",
    tags_label: "Tags",
    min_read: " min read",
    updated: " · updated ",
    by: "By ",
    contents: "Contents",
    toc_label: "Table of contents",
    more_posts: "More posts",
    series_label: "Series",
    series_position: "Part {part} of {total} in the series ",
    related: "Related posts",
    not_found_title: "Page not found",
    not_found_heading: "404 — page not found",
    not_found_text: "There is no page at this address. It may have moved, or never existed.",
    not_found_back: "Back to the latest posts",
    error_title: "Error",
    error_heading: "Something went wrong",
    copy: "Copy",
    copy_label: "Copy code to clipboard",
    copied: "Copied",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub static ES: Strings = Strings {
    skip_to_content: "Saltar al contenido",
    nav_main: "Principal",
    nav_home: "Inicio",
    nav_about: "Acerca de",
    nav_glossary: "Glosario",
    nav_tags: "Etiquetas",
    search: "Buscar",
    search_placeholder: "Buscar  /",
    quick_search: "Búsqueda rápida",
    theme_title: "Cambiar el tema de color",
    theme_suffix: " tema de color",
    theme_auto: "◐ Automático",
    theme_light: "☀ Claro",
    theme_dark: "☾ Oscuro",
    footer_about: "Un microblog de SRE, DevOps y MLOps. Generado en el servidor con ",
    footer_rendered: "Leptos",
    footer_markdown: ", escrito en Markdown. ",
    footer_emoji: "Códigos de emoji",
    footer_feed: "Canal Atom",
    tags_label: "Etiquetas",
    min_read: " min de lectura",
    updated: " · actualizado el ",
    by: "Por ",
    contents: "Contenido",
    toc_label: "Índice",
    more_posts: "Más artículos",
    series_label: "Serie",
    series_position: "Parte {part} de {total} de la serie ",
    related: "Artículos relacionados",
    not_found_title: "Página no encontrada",
    not_found_heading: "404 — página no encontrada",
    not_found_text:
        "No hay ninguna página en esta dirección. Puede que se haya movido o que nunca existiera.",
    not_found_back: "Volver a los últimos artículos",
    error_title: "Error",
    error_heading: "Algo salió mal",
    copy: "Copiar",
    copy_label: "Copiar el código al portapapeles",
    copied: "Copiado",
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
};

/// The locale of the page at the request's path: the language of the post,
/// glossary or About page there, English for everything else (lists mix
/// languages; a 404 has none). Read from the snapshot, so it is the same for
/// every render of a path and the page cache can key on the path alone
/// (the language is in the page's fingerprint). The snapshot is the
/// request's (`api::request_site`): a page rendered ahead of a reload takes
/// its language from the snapshot being published, not the live one.
#[cfg(feature = "ssr")]
pub fn page_locale() -> Locale {
    use crate::model::Route;
    use leptos::prelude::use_context;
    let (Some(parts), Some(site)) = (
        use_context::<axum::http::request::Parts>(),
        crate::api::request_site(),
    ) else {
        return Locale::En;
    };
    let lang = match Route::find(parts.uri.path()) {
        Some((Route::Glossary, _)) => site.glossary().map(|g| g.lang.clone()),
        Some((Route::About, _)) => site.about().map(|p| p.lang.clone()),
        Some((Route::Post, [slug, _])) => site.post(slug).map(|p| p.lang.clone()),
        _ => None,
    };
    lang.map_or(Locale::En, |l| Locale::from_lang(&l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_locale() {
        assert_eq!(Locale::En.date("2025-03-02"), "2 March 2025");
        assert_eq!(Locale::Es.date("2025-03-02"), "2 de marzo de 2025");
        assert_eq!(Locale::Es.date("2024-12-31"), "31 de diciembre de 2024");
        assert_eq!(Locale::Es.date("not a date"), "not a date");
        assert_eq!(Locale::En.date("2024-13-01"), "2024-13-01");
    }

    #[test]
    fn lang_tags_pick_the_locale() {
        assert_eq!(Locale::from_lang("es"), Locale::Es);
        assert_eq!(Locale::from_lang("es-MX"), Locale::Es);
        assert_eq!(Locale::from_lang("en"), Locale::En);
        assert_eq!(Locale::from_lang("fr"), Locale::En);
        assert_eq!(
            Locale::Es.strings().series_position(2, 3),
            "Parte 2 de 3 de la serie "
        );
    }
}
