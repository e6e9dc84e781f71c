import { describe, expect, it } from "vitest";
import { analyzeTerraformDetailed } from "./index.js";
import { isWorldCidr } from "./net/cidr.js";
import { adminPortsIn, portScope } from "./net/ports.js";

const RULE = "SG_ADMIN_PORT_OPEN_TO_WORLD";

function netHits(content: string) {
  return analyzeTerraformDetailed([{ path: "network.tf", content }])
    .filter((h) => h.rule_id === RULE)
    .map((h) => ({ line: h.line, resource: h.resource, aspects: h.aspects, evidence: h.evidence }));
}

const group = (rule: string, kind = "ingress") => `resource "aws_security_group" "bastion" {
  name = "bastion"
  ${kind} {
${rule}
  }
}
`;

const rule = (from: number | string, to: number | string, protocol: string, cidrs: string) =>
  `    from_port   = ${from}\n    to_port     = ${to}\n    protocol    = "${protocol}"\n    ${cidrs}`;

describe("security group rules open to the world", () => {
  it("flags SSH from 0.0.0.0/0 on the CIDR line, naming the port", () => {
    expect(netHits(group(rule(22, 22, "tcp", 'cidr_blocks = ["0.0.0.0/0"]')))).toEqual([
      {
        line: 7,
        resource: "aws_security_group.bastion",
        aspects: ["net.security_group"],
        evidence: 'cidr_blocks = ["0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH))',
      },
    ]);
  });

  it("flags a range or all traffic that covers an admin port", () => {
    expect(netHits(group(rule(3000, 4000, "tcp", 'cidr_blocks = ["0.0.0.0/0"]')))).toHaveLength(1);
    expect(netHits(group(rule(0, 0, "-1", 'ipv6_cidr_blocks = ["::/0"]')))[0]?.evidence).toContain(
      "all ports",
    );
  });

  it("does not flag egress, non-admin ports, private sources, or ICMP", () => {
    expect(netHits(group(rule(22, 22, "tcp", 'cidr_blocks = ["0.0.0.0/0"]'), "egress"))).toEqual([]);
    expect(netHits(group(rule(443, 443, "tcp", 'cidr_blocks = ["0.0.0.0/0"]')))).toEqual([]);
    expect(netHits(group(rule(22, 22, "tcp", 'cidr_blocks = ["10.0.0.0/8", "192.168.1.0/24"]')))).toEqual([]);
    expect(netHits(group(rule(-1, -1, "icmp", 'cidr_blocks = ["0.0.0.0/0"]')))).toEqual([]);
  });

  it("reads TCP/UDP ports 0-0 from the world as all ports, saying the reading is ambiguous", () => {
    expect(netHits(group(rule(0, 0, "tcp", 'cidr_blocks = ["0.0.0.0/0"]')))).toEqual([
      {
        line: 7,
        resource: "aws_security_group.bastion",
        aspects: ["net.security_group"],
        evidence:
          'cidr_blocks = ["0.0.0.0/0"] (0.0.0.0/0 on ports 0-0 ' +
          "(ambiguous: AWS reads port 0 only; commonly meant as all ports))",
      },
    ]);
    expect(netHits(group(rule(0, 0, "udp", 'ipv6_cidr_blocks = ["::/0"]')))).toHaveLength(1);
  });

  it("does not flag ports 0-0 from a private range, nor a one-sided zero range", () => {
    expect(netHits(group(rule(0, 0, "tcp", 'cidr_blocks = ["10.0.0.0/8"]')))).toEqual([]);
    expect(netHits(group(rule(0, 0, "udp", 'ipv6_cidr_blocks = ["fd00::/8"]')))).toEqual([]);
    // Only 0-0 is ambiguous: 0-20 is a literal range, below every admin port.
    expect(netHits(group(rule(0, 20, "tcp", 'cidr_blocks = ["0.0.0.0/0"]')))).toEqual([]);
  });

  it("resolves ports and sources from variable defaults, and never flags unknown values", () => {
    const vars = `variable "ssh" {\n  default = 22\n}\nvariable "anywhere" {\n  default = ["0.0.0.0/0"]\n}\nvariable "port" {}\n`;
    expect(
      netHits(vars + group(rule("var.ssh", "var.ssh", "tcp", "cidr_blocks = var.anywhere"))),
    ).toHaveLength(1);
    expect(netHits(vars + group(rule("var.port", "var.port", "tcp", "cidr_blocks = var.anywhere")))).toEqual(
      [],
    );
  });

  it("flags separate ingress rules of both resource types", () => {
    const text = `resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = "sg-0123456789abcdef0"
}
resource "aws_security_group_rule" "out" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
  security_group_id = "sg-0123456789abcdef0"
}
resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = "sg-0123456789abcdef0"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 5432
  to_port           = 5432
  ip_protocol       = "tcp"
}
`;
    expect(netHits(text).map((h) => [h.line, h.resource])).toEqual([
      [6, "aws_security_group_rule.rdp"],
      [19, "aws_vpc_security_group_ingress_rule.pg"],
    ]);
  });

  it("flags the default security group's all-traffic ingress", () => {
    const text = `resource "aws_default_security_group" "default" {
  vpc_id = "vpc-0a1b2c3d"
  ingress {
    protocol    = -1
    self        = true
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
    expect(netHits(text).map((h) => h.line)).toEqual([8]);
  });
});

describe("network ACLs", () => {
  const aclRule = (
    action: string,
    protocol: string,
    from: number,
    to: number,
    egress = "false",
  ) => `resource "aws_network_acl_rule" "r" {
  network_acl_id = "acl-0a1b2c3d"
  rule_number    = 100
  egress         = ${egress}
  protocol       = "${protocol}"
  rule_action    = "${action}"
  from_port      = ${from}
  to_port        = ${to}
  cidr_block     = "0.0.0.0/0"
}
`;

  it("flags an inbound allow entry for an admin port", () => {
    expect(netHits(aclRule("allow", "tcp", 22, 22)).map((h) => [h.line, h.aspects])).toEqual([
      [9, ["net.network_acl"]],
    ]);
  });

  it("does not flag deny entries or outbound entries", () => {
    expect(netHits(aclRule("deny", "tcp", 22, 22))).toEqual([]);
    expect(netHits(aclRule("allow", "tcp", 22, 22, "true"))).toEqual([]);
  });

  it("flags all traffic on a custom ACL but not the restated AWS default entry of a default ACL", () => {
    const entry = `  ingress {
    protocol   = "-1"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
`;
    expect(netHits(`resource "aws_network_acl" "custom" {\n${entry}}\n`)).toHaveLength(1);
    expect(netHits(`resource "aws_default_network_acl" "default" {\n${entry}}\n`)).toEqual([]);
  });

  it("flags a TCP 0-0 entry from the world on a default ACL, but not from a private range", () => {
    const entry = (cidr: string) =>
      `resource "aws_default_network_acl" "default" {\n  ingress {\n    protocol   = "tcp"\n    rule_no    = 22\n` +
      `    action     = "allow"\n    cidr_block = "${cidr}"\n    from_port  = 0\n    to_port    = 0\n  }\n}\n`;
    expect(netHits(entry("0.0.0.0/0")).map((h) => [h.line, h.aspects])).toEqual([[6, ["net.network_acl"]]]);
    expect(netHits(entry("10.0.0.0/8"))).toEqual([]);
  });
});

describe("terraform-aws-modules/vpc network ACL inputs", () => {
  const vpc = (entries: string) =>
    `module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  default_network_acl_ingress = [\n${entries}  ]\n}\n`;
  const entry = (protocol: string, cidr: string, ruleNo: number) =>
    `    {\n      "action" : "allow",\n      "cidr_block" : "${cidr}",\n      "from_port" : 0,\n` +
    `      "protocol" : "${protocol}",\n      "rule_no" : ${ruleNo},\n      "to_port" : 0\n    },\n`;

  it("flags a TCP 0-0 allow from the world with the ambiguity in the evidence", () => {
    const hits = netHits(vpc(entry("tcp", "0.0.0.0/0", 22)));
    expect(hits.map((h) => [h.line, h.resource, h.aspects])).toEqual([
      [6, "module.vpc", ["net.network_acl"]],
    ]);
    expect(hits[0]?.evidence).toContain(
      "ports 0-0 (ambiguous: AWS reads port 0 only; commonly meant as all ports)",
    );
  });

  it("does not flag TCP 0-0 from a private range, nor the module's own allow-all default restated", () => {
    expect(netHits(vpc(entry("tcp", "10.0.0.0/8", 22)))).toEqual([]);
    expect(netHits(vpc(entry("-1", "0.0.0.0/0", 100) + entry("-1", "10.3.0.0/18", 22)))).toEqual([]);
  });

  it("flags an all-traffic allow from the world on a custom subnet ACL input", () => {
    const text = vpc("").replace("default_network_acl_ingress", "public_inbound_acl_rules");
    const withEntry = text.replace("[\n  ]", `[\n${entry("-1", "0.0.0.0/0", 100)}  ]`);
    expect(netHits(withEntry)).toHaveLength(1);
  });
});

describe("terraform-aws-modules/security-group", () => {
  const sgModule = (body: string, source = "terraform-aws-modules/security-group/aws") =>
    `module "web" {\n  source = "${source}"\n${body}}\n`;

  it("flags named rules whose sources include the world", () => {
    const body =
      '  ingress_cidr_blocks = ["0.0.0.0/0"]\n  ingress_rules       = ["https-443-tcp", "ssh-tcp"]\n';
    expect(netHits(sgModule(body)).map((h) => h.evidence)).toEqual([
      'ingress_cidr_blocks = ["0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH))',
    ]);
  });

  it("flags ingress_with_cidr_blocks entries, with comma-separated sources", () => {
    const body = `  ingress_with_cidr_blocks = [
    {
      from_port   = 3389
      to_port     = 3389
      protocol    = "tcp"
      cidr_blocks = "10.0.0.0/8,0.0.0.0/0"
    },
  ]
`;
    expect(netHits(sgModule(body)).map((h) => h.line)).toEqual([8]);
  });

  it("does not flag a source list with no rules: it opens nothing", () => {
    expect(netHits(sgModule('  ingress_cidr_blocks = ["0.0.0.0/0"]\n'))).toEqual([]);
  });

  it("judges an ingress block inside the module call like an inline rule, saying where it sits", () => {
    const body = `  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["192.120.0.0/16", "0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
`;
    expect(netHits(sgModule(body))).toEqual([
      {
        line: 7,
        resource: "module.web",
        aspects: ["net.security_group"],
        evidence:
          'cidr_blocks = ["192.120.0.0/16", "0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH); ' +
          'ingress block inside module call "web", not a module input)',
      },
    ]);
  });

  it("judges an ingress attribute inside the module call the same way", () => {
    const body = `  ingress = [{
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }]
`;
    const hits = netHits(sgModule(body));
    expect(hits.map((h) => h.line)).toEqual([7]);
    expect(hits[0]?.evidence).toContain('ingress attribute inside module call "web"');
  });

  it("does not flag an ingress block in the call on 443, or from a private range", () => {
    const block = (port: number, cidr: string) =>
      `  ingress {\n    from_port   = ${port}\n    to_port     = ${port}\n    protocol    = "tcp"\n` +
      `    cidr_blocks = ["${cidr}"]\n  }\n`;
    expect(netHits(sgModule(block(443, "10.0.0.0/8")))).toEqual([]);
    expect(netHits(sgModule(block(443, "0.0.0.0/0")))).toEqual([]);
    expect(netHits(sgModule(block(22, "10.0.0.0/8")))).toEqual([]);
  });

  it("does not read ingress blocks inside calls of other modules", () => {
    const body =
      '  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n';
    expect(netHits(sgModule(body, "./modules/bastion"))).toEqual([]);
  });

  it("reads the computed_* rule inputs", () => {
    const body = `  ingress_cidr_blocks    = ["0.0.0.0/0"]
  computed_ingress_rules = ["ssh-tcp"]
  computed_ingress_with_cidr_blocks = [{ rule = "rdp-tcp" }]
  number_of_computed_ingress_rules = 1
`;
    expect(netHits(sgModule(body)).map((h) => h.evidence)).toEqual([
      'ingress_cidr_blocks    = ["0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH))',
      'ingress_cidr_blocks    = ["0.0.0.0/0"] (0.0.0.0/0 on 3389 (RDP))',
    ]);
  });

  it("knows the rules a preset submodule adds", () => {
    const source = "terraform-aws-modules/security-group/aws//modules/ssh";
    expect(netHits(sgModule('  ingress_cidr_blocks = ["0.0.0.0/0"]\n', source))).toHaveLength(1);
  });
});

describe("CIDR and port helpers", () => {
  it("treats only whole-address-space networks as the world", () => {
    expect(["0.0.0.0/0", "::/0", "0::/0", "0:0:0:0:0:0:0:0/0", " 0.0.0.0/0 "].every(isWorldCidr)).toBe(true);
    expect(
      ["0.0.0.0/1", "10.0.0.0/8", "1.0.0.0/0", "/0", "0.0.0.0", "::/8", "0.0.0.0/0/0", ""].some(isWorldCidr),
    ).toBe(false);
  });

  it("reads protocol and port range the way AWS applies them", () => {
    expect(portScope("-1", 0, 0)).toEqual({ all: true });
    expect(portScope("tcp", 0, 0)).toEqual({ all: true, zeroRange: true });
    expect(portScope("-1", 0, 0)).not.toHaveProperty("zeroRange");
    expect(portScope("all", undefined, undefined)).toEqual({ all: true });
    expect(portScope("6", 25, 20)).toEqual({ all: false, from: 20, to: 25 });
    expect(portScope("icmp", -1, -1)).toBe("none");
    expect(portScope("tcp", undefined, 22)).toBeUndefined();
    expect(adminPortsIn({ all: false, from: 20, to: 25 }).map((p) => p.port)).toEqual([21, 22, 23]);
  });
});
