/** The off-policy estimators live with the product (src/maths/ope.ts): the dashboard estimates a candidate ranking policy with them too. */
export * from '../../src/maths/ope.js';
