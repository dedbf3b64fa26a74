/**
 * The text embedded for a product (kind 'passage'), the same fields and order the contrastive
 * recipe trained on (models/recipes/shopbot_models/data.py `product_passage`).
 */
export interface PassageFields {
  readonly title: string;
  readonly brand?: string | undefined;
  readonly color?: string | undefined;
  readonly bullets?: readonly string[] | undefined;
  readonly description?: string | undefined;
}

export function productPassage(p: PassageFields): string {
  const parts = [p.title.trim()];
  if (p.brand?.trim()) parts.push(p.brand.trim());
  if (p.color?.trim()) parts.push(p.color.trim());
  const bullets = (p.bullets ?? []).map((b) => b.trim()).filter(Boolean);
  parts.push(...bullets.slice(0, 3));
  if (bullets.length === 0 && p.description?.trim()) parts.push(p.description.trim().slice(0, 400));
  return parts.join('. ');
}
