/* report_xml.c - checks that a report's HTML is well-formed polyglot XHTML: libxml2's XML
 * parser (no network, no entities) must read it without a single error. */
#include <libxml/parser.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: t_report_xml FILE\n");
        return 2;
    }
    xmlDocPtr doc = xmlReadFile(argv[1], NULL, XML_PARSE_NONET);
    if (!doc) {
        fprintf(stderr, "%s is not well-formed\n", argv[1]);
        return 1;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int ok = root && xmlStrcmp(root->name, (const xmlChar *)"html") == 0;
    xmlFreeDoc(doc);
    xmlCleanupParser();
    printf("%s: well-formed, root %s\n", argv[1], ok ? "html" : "WRONG");
    return ok ? 0 : 1;
}
