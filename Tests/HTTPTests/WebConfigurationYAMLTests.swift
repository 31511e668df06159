import HTTP
import Testing

/// The YAML the web config is read with (libyaml): the forms promtool's parser accepts read the same,
/// and what is not one document says so in one line.
@Suite struct WebConfigurationYAMLTests {
    private static let hash = "$2b$04$w5RiEEyl2kpY6eFvedqFOuwPcSDy6FEIhsdsmorlZ2xfHk0Q1tbuG"

    @Test func blockFlowQuotedAndAliasedFormsReadTheSame() throws {
        let web = try WebConfiguration(yaml: """
            # scrapers
            basic_auth_users: {prometheus: "\(Self.hash)", 'grafana': &same \(Self.hash)}
            http_server_config:
              http2: TRUE
              headers:
                X-Frame-Options: 'deny'
                Cache-Control: >-
                  no-store
            """, relativeTo: "/")
        #expect(web.basicAuthHashes == ["prometheus": Self.hash, "grafana": Self.hash])
        #expect(web.headers.map { "\($0): \($1)" } == ["X-Frame-Options: deny", "Cache-Control: no-store"])
        #expect(web.tls == nil)
    }

    @Test(arguments: ["", "# nothing\n", "tls_server_config: ~\nbasic_auth_users: null\n"])
    func emptyDocumentsAndNullSectionsConfigureNothing(yaml: String) throws {
        let web = try WebConfiguration(yaml: yaml, relativeTo: "/")
        #expect(web.tls == nil && web.basicAuthHashes.isEmpty && web.headers.isEmpty)
    }

    @Test(arguments: [
        ("a: [", "not valid YAML: did not find expected node content at line 2, column 1 (while parsing a flow node)"),
        ("a: b\n  c: d", "not valid YAML: mapping values are not allowed in this context at line 2, column 4"),
        ("a: *nowhere", "not valid YAML: found undefined alias at line 1, column 4"),
        ("a: 1\n---\nb: 2", "not valid YAML: more than one document"),
        ("a: &loop [*loop]", "not valid YAML: nested deeper than 64 levels"),
    ])
    func malformedYAMLIsOneLineSayingWhere(yaml: String, message: String) {
        #expect {
            try WebConfiguration(yaml: yaml, relativeTo: "/")
        } throws: { error in
            "\(error)" == message
        }
    }
}
