//! The predicate keywords, each declared once, in [`keyword_table`]: its name in check files, the
//! type of its operand as written (which decides how the loader reads it), and its type in the
//! JSON Schema. The loader, the schema, the format's documentation (through its test) and the
//! results of testing a predicate all read it.

/// The table of predicate keywords, in the order check files are documented and checked in: for
/// each, its variant, its name, the type its operand is read as, and its JSON Schema. Calls
/// `$then!` with the rows: [`Keyword`] is declared from them here, the raw predicates of the
/// loader in `raw.rs`.
macro_rules! keyword_table {
    ($then:ident) => {
        $then! {            /// `exists: true/false`.
            Exists "exists": Spanned<bool>, r#"{"type": ["boolean", "string"]}"#;
            /// `equals: VALUE`.
            Equals "equals": Spanned<Node>, "{}";
            /// `one_of: [VALUE…]`.
            OneOf "one_of": Spanned<Node>, r#"{"type": ["array", "string"]}"#;
            /// `contains: VALUE`.
            Contains "contains": Spanned<Node>, "{}";
            /// `contains_all: [VALUE…]`.
            ContainsAll "contains_all": Spanned<Node>, r#"{"type": ["array", "string"]}"#;
            /// `matches: REGEX`.
            Matches "matches": Spanned<String>, r#"{"type": "string"}"#;
            /// `line_matches: REGEX`: some line of a text matches.
            LineMatches "line_matches": Spanned<String>, r#"{"type": "string"}"#;
            /// `no_line_matches: REGEX`: no line of a text matches.
            NoLineMatches "no_line_matches": Spanned<String>, r#"{"type": "string"}"#;
            /// `count: N` or `count: {gte: N, …}`.
            Count "count": Spanned<Node>, r#"{"type": ["integer", "object", "string"]}"#;
            /// `gt: NUMBER`.
            Gt "gt": Spanned<Node>, r#"{"type": ["number", "string"]}"#;
            /// `gte: NUMBER`.
            Gte "gte": Spanned<Node>, r#"{"type": ["number", "string"]}"#;
            /// `lt: NUMBER`.
            Lt "lt": Spanned<Node>, r#"{"type": ["number", "string"]}"#;
            /// `lte: NUMBER`.
            Lte "lte": Spanned<Node>, r#"{"type": ["number", "string"]}"#;
            /// `empty: true/false`.
            Empty "empty": Spanned<bool>, r#"{"type": ["boolean", "string"]}"#;
            /// `in_cidr: NETWORK`.
            InCidr "in_cidr": Spanned<Node>, r#"{"type": ["string", "array"]}"#;
            /// `allows_traffic: {direction, protocol, port, cidr, group}`.
            AllowsTraffic "allows_traffic": Spanned<Node>, r#"{"type": "object"}"#;
            /// `all: PREDICATE`.
            All "all": Box<Spanned<Assertion>>, r##"{"$ref": "#/$defs/assertion"}"##;
            /// `any: PREDICATE`.
            Any "any": Box<Spanned<Assertion>>, r##"{"$ref": "#/$defs/assertion"}"##;
            /// `none: PREDICATE`.
            None "none": Box<Spanned<Assertion>>, r##"{"$ref": "#/$defs/assertion"}"##;
            /// `not: PREDICATE`.
            Not "not": Box<Spanned<Assertion>>, r##"{"$ref": "#/$defs/assertion"}"##;
            /// `any_of: [ASSERTION…]`.
            AnyOf "any_of": Spanned<Vec<Spanned<Assertion>>>,
                r##"{"type": "array", "items": {"$ref": "#/$defs/assertion"}}"##;
            /// `all_of: [ASSERTION…]`.
            AllOf "all_of": Spanned<Vec<Spanned<Assertion>>>,
                r##"{"type": "array", "items": {"$ref": "#/$defs/assertion"}}"##;
        }
    };
}
pub(super) use keyword_table;

/// Declares [`Keyword`] from the rows of [`keyword_table`].
macro_rules! declare_keywords {
    ($($(#[doc = $doc:literal])* $variant:ident $name:literal: $operand:ty, $schema:literal;)*) => {
        /// A predicate, by its keyword.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Keyword {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Keyword {
            /// Every keyword, in the order of the table.
            pub const ALL: [Keyword; COUNT] = [$(Keyword::$variant),*];

            /// The keyword as written in check files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $name,)*
                }
            }

            /// The JSON Schema of its operand, as JSON text.
            pub(crate) fn schema(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $schema,)*
                }
            }
        }

        /// How many keywords there are.
        const COUNT: usize = [$($name),*].len();

        /// Every keyword's name, in the order of [`Keyword::ALL`].
        pub(super) const NAMES: [&str; COUNT] = [$($name),*];
    };
}

keyword_table!(declare_keywords);

impl Keyword {
    /// The keyword called `name`, if there is one.
    pub(crate) fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|keyword| keyword.name() == name)
    }
}
