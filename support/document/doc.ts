/**
 * The seed document's sections, in the document's order. A feature's name is exactly one of
 * these headings; the NOTE that precedes the first section belongs to the document's title.
 */
export const DOC_TITLE = 'Container Networking with vSphere Integrated Containers Engine'

export const DOC_SECTIONS: readonly string[] = [
  DOC_TITLE,
  'Publish a Container Port',
  'Container VM Port Forwarding',
  'Add Containers to a New Bridge Network',
  'Bridged Containers with an Exposed Port',
  'Deploy Containers on Multiple Bridge Networks',
  'Deploy Containers That Combine Bridge Networks with a Container Network',
  'Create a Bridge Network with Non-Default Subnet Mask',
  'Deploy a Container with a Static IP Address',
  'Deploy a Network Container that supports DHCP',
]

/** Orders doc headings as the document does; unknown headings sort last. */
export function docOrder(heading: string): number {
  const i = DOC_SECTIONS.indexOf(heading)
  return i === -1 ? DOC_SECTIONS.length : i
}
