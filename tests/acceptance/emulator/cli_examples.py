"""The outputs printed in the AWS CLI's own example docs (awscli/examples/SERVICE/COMMAND.rst).

    python cli_examples.py "eks describe-cluster" "ec2 describe-subnets" ...

Prints {"eks describe-cluster": [OUTPUT, ...], ...}: for each command, the literal blocks of its
examples that parse as a JSON object, from examples whose command neither reshapes the output
(--query) nor formats it as text or a table. Two slips of the doc writers are mended first: a
line of "..." standing for elided items, and a comma before a closing bracket. A command without
such an example maps to [].

The examples are reStructuredText: a paragraph ending in "::" (often "Output::" or "Command::")
introduces a literal block, indented more than the paragraph, that ends at the first non-blank
line indented no more than it. The output sometimes follows the command inside the command's
own block.
"""

import json
import os
import re
import sys

import awscli

EXAMPLES = os.path.join(os.path.dirname(awscli.__file__), "examples")


def indent(line):
    return len(line) - len(line.lstrip(" "))


def literal_blocks(text):
    """Each literal block's text, dedented."""
    lines = text.expandtabs(4).splitlines()
    i = 0
    while i < len(lines):
        marker = lines[i]
        i += 1
        if not marker.rstrip().endswith("::") or marker.strip().startswith(".."):
            continue
        while i < len(lines) and not lines[i].strip():
            i += 1
        block = []
        while i < len(lines) and (not lines[i].strip() or indent(lines[i]) > indent(marker)):
            block.append(lines[i])
            i += 1
        body = [line for line in block if line.strip()]
        if body:
            depth = min(indent(line) for line in body)
            yield "\n".join(line[depth:] for line in block).strip()


def outputs(service, command):
    path = os.path.join(EXAMPLES, service, f"{command}.rst")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as file:
        text = file.read()
    found, last_command = [], ""
    for block in literal_blocks(text):
        if block.startswith("aws "):
            last_command, _, block = block.partition("\n{")
            block = "{" + block if block else ""
        reshaped = "--query" in last_command or "--output text" in last_command \
            or "--output table" in last_command
        if not block.startswith("{") or reshaped:
            continue
        elided = "\n".join(line for line in block.splitlines() if line.strip() != "...")
        try:
            document = json.loads(re.sub(r",(\s*[}\]])", r"\1", elided))
        except ValueError:
            continue
        if isinstance(document, dict):
            found.append(document)
    return found


if __name__ == "__main__":
    print(json.dumps({name: outputs(*name.split(" ", 1)) for name in sys.argv[1:]}))
