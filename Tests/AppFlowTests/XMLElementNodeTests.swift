import Testing
@testable import AppFlow

@Suite(.timeLimit(.minutes(5))) struct XMLElementNodeTests {
    @Test func readsNestedElementsEntitiesAndCDATA() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <sts:Root xmlns:sts="urn:x" a='1/>'>
              <Empty/>
              <A>x &amp;&lt;&gt;&quot;&apos; &#65;&#x42; é</A>
              <B><![CDATA[<raw> & ]]></B>
            </sts:Root>
            """
        let root = try XMLElementNode.parse(Array(xml.utf8))
        #expect(root.name == "Root")
        #expect(root.children.map(\.name) == ["Empty", "A", "B"])
        #expect(root.child("A")?.text == "x &<>\"' AB é")
        #expect(root.child("B")?.text == "<raw> & ")
        #expect(root.path("Empty")?.text == "")
    }

    @Test(arguments: ["<a><b></a>", "<a>&bogus;</a>", "<a>x & y</a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a></a><b></b>", "text<a/>", "<a>"])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: XMLElementNode.ParseError.self) { try XMLElementNode.parse(Array(text.utf8)) }
    }
}
